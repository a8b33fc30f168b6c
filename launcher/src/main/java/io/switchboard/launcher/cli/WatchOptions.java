package io.switchboard.launcher.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --watch [--interval 2s]}, shared by the commands that can redraw. */
public final class WatchOptions {
  @Option(names = "--watch", description = "Redraw every interval until Ctrl-C.")
  boolean watch;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "2s", converter = Watch.IntervalConverter.class,
      description = "How often --watch redraws (default ${DEFAULT-VALUE}).")
  Duration interval;
}
