package io.switchboard.launcher.cli;

/** A command's failure: the message for the operator (saying what to do) and the exit code (see {@link Exit}). */
public final class CliException extends RuntimeException {
  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
