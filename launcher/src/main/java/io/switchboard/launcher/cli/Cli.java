package io.switchboard.launcher.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line's wiring: the subcommands the jar's root command carries, and how failures become exit codes
 * (see {@link Exit}) with one line on stderr that says what to do.
 */
public final class Cli {
  private Cli() {}

  /** The subcommands of {@code java -jar switchboard.jar}; without one the jar runs a node. */
  public static final Class<?>[] COMMANDS = {HealthCommand.class, StatsCommand.class, ClientsCommand.class,
      AlertsCommand.class, SilencesCommand.class, MetricsCommand.class, RulesCommand.class};

  /** Adds the subcommands and the exit-code handling to the root command. */
  public static CommandLine configure(CommandLine root) {
    for (Class<?> c : COMMANDS) {
      root.addSubcommand(c);
    }
    shareVersion(root, root.getCommandSpec());
    root.setCaseInsensitiveEnumValuesAllowed(true);
    root.setParameterExceptionHandler(PARAMETER_ERRORS);
    root.setExecutionExceptionHandler(EXECUTION_ERRORS);
    return root;
  }

  /** {@code COMMAND --version} prints the jar's version, as {@code --version} does. */
  private static void shareVersion(CommandLine cmd, CommandSpec root) {
    for (CommandLine sub : cmd.getSubcommands().values()) {
      if (root.versionProvider() != null) {
        sub.getCommandSpec().versionProvider(root.versionProvider());
      } else {
        sub.getCommandSpec().version(root.version());
      }
      shareVersion(sub, root);
    }
  }

  private static final IParameterExceptionHandler PARAMETER_ERRORS = (ParameterException e, String[] args) -> {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("switchboard: " + e.getMessage());
    err.println("see `java -jar switchboard.jar " + path(cmd) + "--help`");
    err.flush();
    return Exit.USAGE;
  };

  private static final IExecutionExceptionHandler EXECUTION_ERRORS = (Exception e, CommandLine cmd, ParseResult parsed) -> {
    PrintWriter err = cmd.getErr();
    if (e instanceof CliException ce) {
      err.println("switchboard: " + ce.getMessage());
      err.flush();
      return ce.exitCode();
    }
    throw e;
  };

  /** The subcommand path of {@code cmd} with a trailing blank ("silences add "), empty for the root. */
  static String path(CommandLine cmd) {
    StringBuilder sb = new StringBuilder();
    for (CommandLine c = cmd; c != null && c.getParent() != null; c = c.getParent()) {
      sb.insert(0, c.getCommandName() + " ");
    }
    return sb.toString();
  }
}
