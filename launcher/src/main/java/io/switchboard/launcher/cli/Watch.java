package io.switchboard.launcher.cli;

import io.switchboard.common.config.SwitchboardConfig;
import java.io.PrintStream;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --watch}: draws a command's view every interval until Ctrl-C. On a terminal each view replaces the last
 * (the screen is cleared); otherwise views follow one another, so that a pipe or a file gets every one (tables
 * a blank line apart, JSON one object per line).
 */
public final class Watch {
  private Watch() {}

  /** Draws once, or every {@code interval} while {@code watch}. A failure of a draw ends the watch. */
  public static void run(boolean watch, Duration interval, boolean table, PrintStream out, Runnable draw) {
    if (!watch) {
      draw.run();
      return;
    }
    boolean terminal = System.console() != null;
    boolean first = true;
    while (true) {
      if (terminal) {
        out.print("\033[H\033[2J");
      } else if (table && !first) {
        out.println();
      }
      first = false;
      draw.run();
      if (terminal) {
        out.println("every " + Table.number(interval.toMillis() / 1000.0) + " s; Ctrl-C stops");
      }
      out.flush();
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** {@code --interval}: a duration as the configuration writes them (500ms, 2s, 1m), at least 100 ms. */
  public static final class IntervalConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      long ms;
      try {
        ms = SwitchboardConfig.parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' is " + e.getMessage());
      }
      if (ms < 100) {
        throw new TypeConversionException("'" + value + "' is shorter than 100ms");
      }
      return Duration.ofMillis(ms);
    }
  }
}
