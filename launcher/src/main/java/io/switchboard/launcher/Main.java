package io.switchboard.launcher;

import io.switchboard.alert.AlertService;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.logging.LogSetup;
import io.switchboard.common.node.BuildInfo;
import io.switchboard.common.node.NodeIdentity;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.node.SwitchboardService;
import io.switchboard.hub.HubService;
import io.switchboard.launcher.cli.Cli;
import io.switchboard.stats.StatsService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar switchboard.jar [--config FILE]}: starts one node running the services named by
 * {@code services} ({@code SWITCHBOARD_SERVICES}, default hub,stats,alert). Exit codes: 0 after a graceful stop,
 * 2 for a configuration error (the message names the key), 1 when start-up fails otherwise.
 * {@code java -jar switchboard.jar COMMAND}: the command line of a running node ({@link Cli}; docs/operations.md,
 * "Command line").
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Clustered, observable WebSocket hub for AI agents (HAIP).",
        "Without a command: run a node. With one: ask a running node (see COMMAND --help)."})
public final class Main implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, description = "YAML configuration file (also SWITCHBOARD_CONFIG).")
  Path config;

  @Option(names = "--print-config", description = "Print the effective configuration (secrets masked) and exit.")
  boolean printConfig;

  public static void main(String[] args) {
    LogSetup.routeLibrariesToSlf4j();
    int code = Cli.configure(new CommandLine(new Main())).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The services this jar can run, by role. */
  static SwitchboardService service(String role) {
    return switch (role) {
      case "hub" -> new HubService();
      case "stats" -> new StatsService();
      case "alert" -> new AlertService();
      default -> throw new ConfigException(ConfigKeys.SERVICES, "unknown service '" + role + "' in services");
    };
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    Path file = config != null ? config : env.containsKey("SWITCHBOARD_CONFIG") ? Path.of(env.get("SWITCHBOARD_CONFIG")) : null;
    SwitchboardConfig cfg;
    try {
      if (file != null && !Files.isReadable(file)) {
        throw new ConfigException("config", "configuration file " + file + " does not exist or cannot be read");
      }
      cfg = SwitchboardConfig.load(file, env);
      LogSetup.parseLevels(cfg.getString(ConfigKeys.LOG_LEVEL));
    } catch (ConfigException e) {
      System.err.println("switchboard: configuration error: " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      System.err.println("switchboard: configuration error: invalid value for configuration key 'log.level' (env SWITCHBOARD_LOG_LEVEL): " + e.getMessage());
      return 2;
    }
    if (printConfig) {
      System.out.println(cfg.toMaskedJson().encodePrettily());
      return 0;
    }
    String name = cfg.getString(ConfigKeys.NODE_NAME);
    if (name.isEmpty()) {
      name = SwitchboardNode.defaultName(cfg.getInt(ConfigKeys.HTTP_PORT));
      cfg = cfg.with(Map.of(ConfigKeys.NODE_NAME, name));
    }
    List<SwitchboardService> services = new ArrayList<>();
    for (String role : cfg.getList(ConfigKeys.SERVICES)) {
      services.add(service(role));
    }
    NodeIdentity identity = SwitchboardNode.identityFor(cfg, services);
    try {
      LogSetup.configure(cfg, name, identity.nodeId());
    } catch (ConfigException e) {
      System.err.println("switchboard: configuration error: " + e.getMessage());
      return 2;
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    SwitchboardNode node;
    try {
      node = SwitchboardNode.start(cfg, services, identity).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException ce) {
        System.err.println("switchboard: configuration error: " + ce.getMessage());
        log.error("configuration error: {}", ce.getMessage());
        return 2;
      }
      log.error("start-up failed: {}", String.valueOf(cause), cause);
      System.err.println("switchboard: start-up failed: " + cause);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    long timeout = cfg.getDurationMs(ConfigKeys.SHUTDOWN_TIMEOUT);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.stop().toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.warn("graceful stop did not finish within {} ms: {}", timeout, e.toString());
      } finally {
        stopped.countDown();
      }
    }, "switchboard-shutdown"));
    stopped.await();
    return 0;
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"switchboard " + BuildInfo.version()};
    }
  }
}
