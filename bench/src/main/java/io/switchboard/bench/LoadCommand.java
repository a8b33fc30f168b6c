package io.switchboard.bench;

import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Drive HAIP sessions against a hub (or raw-echo) and report round trips/s and latency.")
public final class LoadCommand implements Callable<Integer> {
  @Option(names = "--url", split = ",", description = "HAIP WebSocket URL(s), sessions spread over them (default ws://127.0.0.1:8080/haip)")
  List<URI> urls = List.of(URI.create("ws://127.0.0.1:8080/haip"));
  @Option(names = "--sessions", description = "client sessions (default ${DEFAULT-VALUE})")
  int sessions = 100;
  @Option(names = "--duration", description = "measured window, e.g. 15s (default ${DEFAULT-VALUE})")
  String duration = "15s";
  @Option(names = "--warmup", description = "load before the measured window (default ${DEFAULT-VALUE})")
  String warmup = "2s";
  @Option(names = "--ramp-up", description = "time over which sessions are opened (default ${DEFAULT-VALUE})")
  String rampUp = "2s";
  @Option(names = "--rate", description = "total messages/s, open loop with coordinated-omission correction; 0 = closed loop (default ${DEFAULT-VALUE})")
  int rate = 0;
  @Option(names = "--message-size", description = "MESSAGE payload size in bytes (default ${DEFAULT-VALUE})")
  int messageSize = 64;
  @Option(names = "--scenario", description = "echo | idle | monitor (default ${DEFAULT-VALUE})")
  LoadOptions.Scenario scenario = LoadOptions.Scenario.echo;
  @Option(names = "--tool", description = "tool of the transactions (default ${DEFAULT-VALUE})")
  String tool = "echo";
  @Option(names = "--source-addresses", split = ",", description = "local addresses to connect from, e.g. 127.0.0.1,127.0.0.2")
  List<String> sourceAddresses = List.of();
  @Option(names = "--threads", description = "client event loops (default: cores)")
  int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
  @Option(names = "--messages-per-transaction", description = "closed loop: end the transaction and start a new one after this many round trips; 0 = one per session (default ${DEFAULT-VALUE})")
  int messagesPerTransaction = 0;
  @Option(names = "--agents", description = "agent sessions offering --tool, opened first (cross-node scenario)")
  int agents = 0;
  @Option(names = "--agent-url", description = "where the agents connect (default: the first --url)")
  URI agentUrl;
  @Option(names = "--subscribers", description = "monitor scenario: /ws subscribers (default ${DEFAULT-VALUE})")
  int subscribers = 1000;
  @Option(names = "--monitor-url", description = "monitor scenario: /ws URL (default: the first --url with path /ws)")
  URI monitorUrl;
  @Option(names = "--hold", description = "idle scenario: how long to hold the sessions before probing (default ${DEFAULT-VALUE})")
  String hold = "5s";
  @Option(names = "--node-pid", description = "idle scenario: the node's pid (full GC through jcmd, RSS, descriptors)")
  long nodePid = -1;
  @Option(names = "--server-pid", description = "the server's pid on this machine: its CPU over the measured window is reported (serverCpu)")
  long serverPid = -1;
  @Option(names = "--metrics-url", description = "idle scenario: the node's /metrics URL (heap after GC)")
  URI metricsUrl;
  @Option(names = "--max-pending-connects", description = "connects in flight at once (default ${DEFAULT-VALUE})")
  int maxPendingConnects = 256;
  @Option(names = "--label", description = "free text stored in the JSON")
  String label = "";
  @Option(names = "--json", description = "write the result as JSON to this file")
  Path json;

  @Override
  public Integer call() throws Exception {
    LoadOptions o = new LoadOptions();
    o.urls = urls;
    o.sessions = sessions;
    o.durationMs = SwitchboardConfig.parseDuration(duration);
    o.warmupMs = SwitchboardConfig.parseDuration(warmup);
    o.rampUpMs = SwitchboardConfig.parseDuration(rampUp);
    o.rate = rate;
    o.messageSize = messageSize;
    o.scenario = scenario;
    o.tool = tool;
    o.sourceAddresses = sourceAddresses;
    o.threads = threads;
    o.agents = agents;
    o.agentUrl = agentUrl;
    o.subscribers = scenario == LoadOptions.Scenario.monitor ? subscribers : 0;
    o.monitorUrl = monitorUrl;
    o.holdMs = SwitchboardConfig.parseDuration(hold);
    o.nodePid = nodePid;
    o.metricsUrl = metricsUrl;
    o.serverPid = serverPid;
    o.maxPendingConnects = maxPendingConnects;
    o.label = label;
    o.messagesPerTransaction = rate > 0 ? 0 : messagesPerTransaction;
    JsonObject r = new LoadRun(o, System.err).run();
    System.out.print(Summary.table(List.of(r)));
    if (json != null) {
      if (json.getParent() != null) {
        Files.createDirectories(json.getParent());
      }
      Files.writeString(json, r.encodePrettily() + "\n");
    }
    return 0;
  }

  static String[] argsOf(String line) {
    return Arrays.stream(line.trim().split("\\s+")).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }
}
