package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * Three node processes and a real Prometheus server on loopback: known HAIP traffic through every node, then
 * /stats on any node equals the exact sums; Prometheus agrees with /stats; every PromQL expression we ship
 * (dashboard, rules) runs without error; a SIGKILLed node goes stale and totals never go backwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterStatsIT {
  static final String CLUSTER = "sb-stats-" + UUID.randomUUID().toString().substring(0, 8);
  static final int SESSIONS_PER_NODE = 3;
  static final int MESSAGES_PER_SESSION = 5;
  static int clusterPort;
  static final List<NodeProcess> nodes = new ArrayList<>();
  static Process prometheus;
  static int promPort;
  static Path promDir;
  static long expectedMessages;
  static long expectedConnections;
  static long expectedCompleted;
  static long expectedErrors;

  static NodeProcess startNode(String name, String services) throws Exception {
    return NodeProcess.startMember(CLUSTER, clusterPort, name, services);
  }

  @BeforeAll
  static void start() throws Exception {
    clusterPort = TestNodes.freePortRange(8);
    nodes.add(startNode("n1", "hub,stats,alert"));
    nodes.add(startNode("n2", "hub"));
    nodes.add(startNode("n3", "hub,stats"));
    for (NodeProcess n : nodes) {
      n.awaitReady(Duration.ofSeconds(90));
    }
    Await.waitFor(Duration.ofSeconds(20), () -> nodes.get(0).clusterSize() == 3, "cluster of 3 never formed");
    startPrometheus();
  }

  static void startPrometheus() throws Exception {
    String bin = null;
    for (String p : List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")) {
      if (new File(p).canExecute()) {
        bin = p;
      }
    }
    if (bin == null) {
      fail("prometheus is not installed: apt-get install prometheus (.ci/run does this)");
    }
    promDir = Files.createTempDirectory("prom");
    StringBuilder targets = new StringBuilder();
    for (NodeProcess n : nodes) {
      targets.append(targets.length() == 0 ? "" : ", ").append("'127.0.0.1:").append(n.httpPort).append("'");
    }
    Path rules = Path.of("..", "k8s", "prometheus", "switchboard-rules.yaml").toAbsolutePath();
    String cfg = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        + (Files.exists(rules) ? "rule_files:\n  - '" + rules + "'\n" : "")
        + "scrape_configs:\n  - job_name: switchboard\n    static_configs:\n      - targets: [" + targets + "]\n";
    Files.writeString(promDir.resolve("prometheus.yml"), cfg);
    promPort = TestNodes.freePort();
    prometheus = new ProcessBuilder(bin, "--config.file=" + promDir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + promDir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
        .redirectErrorStream(true).redirectOutput(promDir.resolve("prometheus.log").toFile()).start();
    Await.waitFor(Duration.ofSeconds(30), () -> {
      JsonObject r = promQuery("count(up{job=\"switchboard\"} == 1)");
      JsonArray result = r == null ? null : r.getJsonObject("data").getJsonArray("result");
      return result != null && !result.isEmpty() && "3".equals(result.getJsonObject(0).getJsonArray("value").getString(1));
    }, "prometheus never scraped all three nodes");
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.destroyForcibly();
    }
    nodes.forEach(NodeProcess::close);
  }

  static JsonObject promQuery(String expr) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + promPort + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body());
    } catch (Exception e) {
      return null;
    }
  }

  static double promScalar(String expr) {
    JsonObject r = promQuery(expr);
    JsonArray result = r.getJsonObject("data").getJsonArray("result");
    return result.isEmpty() ? Double.NaN : Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
  }

  @Test
  @Order(1)
  void statsOnEveryNodeEqualTheExactSumsOfTheTraffic() {
    for (NodeProcess n : nodes) {
      for (int s = 0; s < SESSIONS_PER_NODE; s++) {
        try (HaipClient c = HaipClient.connect(n.httpPort).handshake(null)) {
          String tx = c.start("echo");
          for (int m = 0; m < MESSAGES_PER_SESSION; m++) {
            c.echo(tx, "m" + m);
          }
          c.end(tx);
          // HAI + TRANSACTION_START + messages + TRANSACTION_END
          expectedMessages += MESSAGES_PER_SESSION + 3;
          expectedConnections++;
          expectedCompleted++;
        }
      }
      // one malformed frame per node: counted as an error, not as a message
      try (HaipClient c = HaipClient.connect(n.httpPort).handshake(null)) {
        c.send(new JsonObject().put("type", "MESSAGE"));
        c.await("ERROR", Duration.ofSeconds(5));
        expectedMessages += 1;
        expectedConnections++;
        expectedErrors++;
      }
    }
    for (NodeProcess n : nodes) {
      Await.waitFor(Duration.ofSeconds(10), () -> {
        JsonObject st = n.json("/stats");
        return st.getLong("totalMessages") == expectedMessages && st.getLong("totalConnections") == expectedConnections;
      }, "stats on " + n.name + " never reached the sums: " + n.get("/stats").body());
      JsonObject st = n.json("/stats");
      assertThat(st.getLong("totalMessages")).isEqualTo(expectedMessages);
      assertThat(st.getLong("totalConnections")).isEqualTo(expectedConnections);
      assertThat(st.getJsonObject("toolExecutions").getLong("successful")).isEqualTo(expectedCompleted);
      assertThat(st.getJsonObject("toolExecutions").getLong("total")).isEqualTo(expectedCompleted);
      assertThat(st.getJsonObject("toolExecutions").getLong("failed")).isZero();
      assertThat(st.getLong("errors")).isEqualTo(expectedErrors);
      assertThat(st.getInteger("nodes")).isEqualTo(3);
      assertThat(st.getInteger("nodesUp")).isEqualTo(3);
      assertThat(st.getLong("activeConnections")).isZero();
    }
  }

  @Test
  @Order(2)
  void prometheusAgreesWithStats() {
    long total = nodes.get(1).json("/stats").getLong("totalMessages");
    Await.waitFor(Duration.ofSeconds(15),
        () -> promScalar("sum(switchboard_messages_total{direction=\"in\"})") == total,
        "prometheus sum(switchboard_messages_total{direction=\"in\"}) never equalled " + total);
    assertThat(promScalar("sum(switchboard_connections_total)")).isEqualTo((double) expectedConnections);
  }

  @Test
  @Order(3)
  void everyShippedPromqlExpressionRuns() throws Exception {
    List<String> exprs = new ArrayList<>();
    String dash = Files.readString(Path.of("..", "k8s", "grafana", "switchboard-dashboard.json"));
    for (Object p : new JsonObject(dash).getJsonArray("panels")) {
      for (Object t : ((JsonObject) p).getJsonArray("targets")) {
        exprs.add(((JsonObject) t).getString("expr"));
      }
    }
    Path rules = Path.of("..", "k8s", "prometheus", "switchboard-rules.yaml");
    if (Files.exists(rules)) {
      Map<String, Object> doc = new Yaml().load(Files.readString(rules));
      for (Object g : (List<?>) doc.get("groups")) {
        for (Object r : (List<?>) ((Map<?, ?>) g).get("rules")) {
          exprs.add(String.valueOf(((Map<?, ?>) r).get("expr")));
        }
      }
    }
    assertThat(exprs).hasSizeGreaterThan(8);
    for (String e : exprs) {
      JsonObject r = promQuery(e);
      assertThat(r).as("no answer for %s", e).isNotNull();
      assertThat(r.getString("status")).as("%s -> %s", e, r.encode()).isEqualTo("success");
    }
    // the latency histogram has data behind it
    assertThat(promScalar("sum(switchboard_message_latency_seconds_count)")).isPositive();
    // the connections-near-limit rule has its divisor on every hub node: the configured limit, not an assumed one
    JsonObject share = promQuery("max by (node) (switchboard_connections_active) / max by (node) (switchboard_connections_limit)");
    assertThat(share.getJsonObject("data").getJsonArray("result")).as("share of the connection limit per hub node: %s", share.encode()).hasSize(3);
    assertThat(promScalar("min(switchboard_connections_limit)")).isEqualTo(10_000.0);
  }

  @Test
  @Order(4)
  void aKilledNodeGoesStaleAndTotalsNeverDecrease() throws Exception {
    NodeProcess n2 = nodes.get(1);
    long before = nodes.get(0).json("/stats").getLong("totalMessages");
    n2.kill();
    long t0 = System.nanoTime();
    List<Long> seen = new ArrayList<>();
    Await.waitFor(Duration.ofSeconds(10), () -> {
      JsonObject st = nodes.get(0).json("/stats");
      seen.add(st.getLong("totalMessages"));
      return st.getInteger("nodesUp") == 2;
    }, "the killed node never left the live count");
    System.out.printf("killed node left nodesUp after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(seen).allMatch(v -> v >= before);
    // restarted under the same name: a new node, and the old contribution stays
    NodeProcess again = startNode("n2", "hub");
    nodes.set(1, again);
    again.awaitReady(Duration.ofSeconds(90));
    try (HaipClient c = HaipClient.connect(again.httpPort).handshake(null)) {
      String tx = c.start("echo");
      c.echo(tx, "after restart");
    }
    Await.waitFor(Duration.ofSeconds(15), () -> nodes.get(2).json("/stats").getLong("totalMessages") >= before + 3,
        "totals did not grow after the restart");
    JsonObject st = nodes.get(2).json("/stats");
    assertThat(st.getInteger("nodesUp")).isEqualTo(3);
    assertThat(st.getLong("totalMessages")).isGreaterThanOrEqualTo(before + 3);
    JsonArray perNode = nodes.get(2).json("/stats/nodes").getJsonArray("nodes");
    long namedN2 = perNode.stream().map(o -> (JsonObject) o).filter(o -> "n2".equals(o.getString("name"))).count();
    assertThat(namedN2).as("the restarted n2 is a new node id").isGreaterThanOrEqualTo(1);
  }
}
