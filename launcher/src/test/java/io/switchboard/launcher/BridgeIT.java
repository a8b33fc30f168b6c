package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The SockJS event-bus bridge end to end (docs/operations.md, Bridges): two node processes (stats and alert on one,
 * hub on the other) and a real Node.js process running the npm client {@code @vertx/eventbus-bridge-client.js}
 * ({@code launcher/src/test/node}, installed by .ci/run). The client receives the cluster stats every interval and
 * an alert that HAIP traffic on the other node makes fire; its send to a tool address and a silence write are
 * refused with an error frame and counted on the node it is connected to.
 */
class BridgeIT {
  /** Generous: on a busy 2-core machine a node's start alone has taken over a minute. */
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String RULE = "BridgeProbe";

  @Test
  void aNodeJsClientGetsStatsAndAlertsAndIsRefusedToolsAndSilenceWrites() throws Exception {
    Path clientDir = Path.of(System.getProperty("switchboard.nodeClient", "src/test/node"));
    assertThat(clientDir.resolve("node_modules/@vertx/eventbus-bridge-client.js")).as(
        "the Node.js bridge client is installed (npm ci in %s; .ci/run does it)", clientDir).exists();
    String cluster = "bridge-" + UUID.randomUUID().toString().substring(0, 8);
    int clusterPort = TestNodes.freePortRange(8);
    JsonArray rules = new JsonArray().add(new JsonObject().put("name", RULE).put("expr", "activeConnections")
        .put("op", ">=").put("threshold", 1));
    int portA = TestNodes.freePort();
    Map<String, String> envA = NodeProcess.env(cluster, clusterPort, "bridge-a", portA);
    envA.put("SWITCHBOARD_SERVICES", "stats,alert");
    envA.put("SWITCHBOARD_ALERT_RULES", rules.encode());
    try (NodeProcess a = NodeProcess.start("bridge-a", portA, envA);
        NodeProcess b = NodeProcess.startMember(cluster, clusterPort, "bridge-b", "hub")) {
      a.awaitReady(START);
      b.awaitReady(START);
      Await.waitFor(WAIT, () -> a.clusterSize() == 2 && b.clusterSize() == 2, () -> "two members\n" + a.tail() + b.tail());
      try (NodeClient client = NodeClient.start(clientDir, a.url("/eventbus"))) {
        client.await(l -> "open".equals(l.getString("event")), "the bridge opened");
        // the cluster view arrives every interval
        Await.waitFor(WAIT, () -> client.count(l -> "stats".equals(l.getString("event"))) >= 3,
            () -> "three stats publishes reached the client: " + client.lines);

        client.send("switchboard.tool.echo", new JsonObject().put("text", "hi"));
        JsonObject refused = client.await(l -> "refused".equals(l.getString("event"))
            && "switchboard.tool.echo".equals(l.getString("asking")), "the tool send is refused");
        assertThat(refused.getJsonObject("error").getString("type")).isEqualTo("err");
        client.send("switchboard.alerts.query", new JsonObject().put("what", "createSilence")
            .put("silence", new JsonObject().put("matchers", new JsonArray()).put("duration", "1h")));
        client.await(l -> "refused".equals(l.getString("event"))
            && "switchboard.alerts.query".equals(l.getString("asking")), "the silence write is refused");
        // a read on the same address passes
        client.send("switchboard.alerts.query", new JsonObject().put("what", "rules"));
        JsonObject reply = client.await(l -> "reply".equals(l.getString("event")), "the rules read is answered");
        assertThat(reply.getJsonObject("body").encode()).contains(RULE);
        assertThat(a.json("/silences").getJsonArray("items", new JsonArray())).isEmpty();

        Await.waitFor(WAIT, () -> counter(a, "tool") >= 1 && counter(a, "silence") >= 1,
            () -> "refusals counted in /metrics:\n" + a.get("/metrics").body().lines()
                .filter(l -> l.contains("bridge")).toList());

        // HAIP traffic on the other node: an open session makes activeConnections 1, and the rule fire
        try (HaipClient haip = HaipClient.connect(b.httpPort)) {
          haip.handshake(null);
          JsonObject alert = client.await(l -> "alert".equals(l.getString("event"))
              && RULE.equals(l.getJsonObject("body").getString("rule"))
              && "firing".equals(l.getJsonObject("body").getString("state")), "the alert fires on the bridge");
          assertThat(alert.getJsonObject("body").getDouble("value")).isGreaterThanOrEqualTo(1.0);
        }
      }
    }
  }

  private static final Pattern REFUSED = Pattern.compile(
      "switchboard_bridge_refused_total\\{([^}]*)\\} ([0-9.eE+]+)");

  /** switchboard_bridge_refused_total of the SockJS bridge for one address class, from the node's /metrics. */
  private static double counter(NodeProcess n, String addressClass) {
    double sum = 0;
    for (String line : n.get("/metrics").body().lines().toList()) {
      Matcher m = REFUSED.matcher(line);
      if (m.matches() && m.group(1).contains("address_class=\"" + addressClass + "\"")
          && m.group(1).contains("bridge=\"sockjs\"")) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  /** The Node.js client process: JSON lines out, commands in; stopped by its pid. */
  private static final class NodeClient implements AutoCloseable {
    final List<JsonObject> lines = new CopyOnWriteArrayList<>();
    private final Process process;
    private final OutputStream in;

    private NodeClient(Process process) {
      this.process = process;
      this.in = process.getOutputStream();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.startsWith("{")) {
              lines.add(new JsonObject(line));
            }
          }
        } catch (IOException | RuntimeException e) {
          // the process ended
        }
      }, "node-bridge-client");
      reader.setDaemon(true);
      reader.start();
    }

    static NodeClient start(Path dir, String url) throws IOException {
      Path log = Files.createTempFile("switchboard-node-client-", ".log");
      Process p = new ProcessBuilder("node", "bridge-client.js", url).directory(dir.toFile())
          .redirectError(log.toFile()).start();
      return new NodeClient(p);
    }

    void send(String address, JsonObject body) throws IOException {
      in.write((new JsonObject().put("address", address).put("body", body).encode() + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    long count(Predicate<JsonObject> match) {
      return lines.stream().filter(match).count();
    }

    JsonObject await(Predicate<JsonObject> match, String what) {
      Await.waitFor(WAIT, () -> count(match) > 0, () -> what + "; the client printed " + lines);
      return lines.stream().filter(match).findFirst().orElseThrow();
    }

    @Override
    public void close() throws IOException, InterruptedException {
      try {
        in.close();
      } catch (IOException e) {
        // already gone
      }
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
