package io.switchboard.launcher.cli;

/** The command line's exit codes (docs/operations.md, "Command line"). */
public final class Exit {
  private Exit() {}

  /** Done; the node is healthy. */
  public static final int OK = 0;
  /** The node answered: unhealthy, or what was asked for does not exist. */
  public static final int UNHEALTHY = 1;
  /** A bad option or argument, or a configuration error. */
  public static final int USAGE = 2;
  /** No node answers at the URL. */
  public static final int UNREACHABLE = 3;
}
