package io.switchboard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.Addresses;
import io.switchboard.common.metrics.Histograms;
import io.switchboard.common.metrics.NodeCounters;
import io.switchboard.common.node.NodeContext;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.node.SwitchboardService;
import io.switchboard.common.stats.ClusterStats;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real nodes in one JVM (loopback Hazelcast, real event bus, real HTTP): two stats replicas, plain nodes whose
 * counters the test drives (the hub writes the same NodeCounters), and a node with a stand-in for the hub's
 * per-node client list. One cluster for the whole class; the tests run in order, each building on the last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatsClusterTest {
  static final Map<String, Object> FAST = Map.of("stats.interval", "200ms", "stats.window", "5s");
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static TestNodes.Cluster cluster;
  static SwitchboardNode s1;
  static SwitchboardNode s2;
  static SwitchboardNode a;
  static SwitchboardNode b;
  /** What every node id that ever ran counted (departed ones included). */
  static final List<NodeCounters> everyone = new ArrayList<>();

  /** Stand-in for the hub's {@code Addresses.nodeClients(nodeId)} consumer (the hub is another module). */
  static final class ClientListService implements SwitchboardService {
    @Override
    public String role() {
      return "hub";
    }

    @Override
    public Future<?> deploy(NodeContext node) {
      JsonArray all = new JsonArray()
          .add(new JsonObject().put("client_id", "c-1").put("type", "client").put("platform", "web").put("node", node.identity().name())
              .put("connected_at", 1_000L).put("uptime_seconds", 9))
          .add(new JsonObject().put("client_id", "ag-1").put("type", "agent").put("platform", "py").put("node", node.identity().name())
              .put("connected_at", 2_000L).put("uptime_seconds", 8))
          .add(new JsonObject().put("client_id", "ag-2").put("type", "agent").put("platform", "py").put("node", node.identity().name())
              .put("connected_at", 3_000L).put("uptime_seconds", 7));
      return node.vertx().eventBus().<JsonObject>consumer(Addresses.nodeClients(node.nodeId()), msg -> {
        String type = msg.body().getString("type");
        JsonArray out = new JsonArray();
        all.stream().map(o -> (JsonObject) o).filter(c -> type == null || type.equals(c.getString("type"))).forEach(out::add);
        msg.reply(new JsonObject().put("clients", out).put("total", out.size()));
      }).completion();
    }
  }

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster(10);
    s1 = cluster.start("stats-1", List.of(new StatsService()), FAST);
    s2 = cluster.start("stats-2", List.of(new StatsService()), FAST);
    a = cluster.start("a", List.of(new ClientListService()), FAST);
    b = cluster.start("b", List.of(), FAST);
    List.of(s1, s2, a, b).forEach(n -> everyone.add(n.context().counters()));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static void traffic(SwitchboardNode n, int messages, long latencyMicros, int connections, int completed, int failed) {
    NodeCounters c = n.context().counters();
    for (int i = 0; i < connections; i++) {
      c.connectionOpened(i % 2 == 0 ? "client" : "agent");
    }
    for (int i = 0; i < messages; i++) {
      c.frameReceived();
      c.messageIn();
      c.messageOut();
      c.recordMessageLatencyNanos(latencyMicros * 1000 + i);
    }
    for (int i = 0; i < completed + failed; i++) {
      c.executionStarted();
      c.executionEnded(i < completed ? "completed" : "failed", 10_000 + i);
    }
  }

  static long exact(ToLongFunction<NodeCounters> f) {
    return everyone.stream().mapToLong(f).sum();
  }

  static HttpResponse<String> get(SwitchboardNode n, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject stats(SwitchboardNode n) {
    HttpResponse<String> r = get(n, "/stats");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  /** Polls GET /stats on {@code n} until the condition holds (15 s at most); returns that answer. */
  static JsonObject awaitStats(SwitchboardNode n, Predicate<JsonObject> until) {
    long deadline = System.currentTimeMillis() + 15_000;
    JsonObject last = null;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<String> r = get(n, "/stats");
      if (r.statusCode() == 200) {
        last = new JsonObject(r.body());
        if (until.test(last)) {
          return last;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("condition not met within 15 s; last /stats: " + last);
  }

  static boolean exactTotals(JsonObject s) {
    return s.getLong("totalMessages") == exact(NodeCounters::messagesInTotal)
        && s.getLong("messagesOut") == exact(NodeCounters::messagesOutTotal)
        && s.getLong("totalConnections") == exact(NodeCounters::totalConnections)
        && s.getLong("errors") == exact(NodeCounters::errorsTotal);
  }

  @Test
  @Order(1)
  void everyNodeAnswersTheExactClusterSumsAndBothReplicasAgree() {
    traffic(a, 300, 800, 4, 5, 1);
    traffic(b, 200, 3_000, 3, 2, 2);
    b.context().counters().error("RATE_LIMITED");
    for (SwitchboardNode n : List.of(a, b, s1, s2)) {
      JsonObject s = awaitStats(n, st -> exactTotals(st) && st.getInteger("nodes") == 4 && st.getInteger("nodesUp") == 4);
      assertThat(s.getLong("totalMessages")).isEqualTo(500);
      assertThat(s.getLong("activeConnections")).isEqualTo(7);
      assertThat(s.getLong("agentsConnected")).isEqualTo(3);
      assertThat(s.getJsonObject("toolExecutions").getLong("total")).isEqualTo(10);
      assertThat(s.getJsonObject("toolExecutions").getLong("successful")).isEqualTo(7);
      assertThat(s.getJsonObject("toolExecutions").getLong("failed")).isEqualTo(3);
      assertThat(s.getLong("errors")).isEqualTo(1);
      assertThat(s.getJsonArray("perNode")).hasSize(4);
    }
    // requests go round-robin over the two replicas: several answers in a row all agree on the totals
    for (int i = 0; i < 4; i++) {
      assertThat(exactTotals(stats(a))).isTrue();
    }
  }

  @Test
  @Order(4)
  void clusterPercentilesAreTheMergeOfTheNodesWindowHistograms() {
    traffic(a, 100, 2_000, 0, 0, 0);
    traffic(b, 100, 9_000, 0, 0, 0);
    // /stats and /stats/nodes are two requests (possibly two replicas): poll until they describe the same window
    JsonObject st = awaitStats(a, s -> exactTotals(s) && s.getJsonObject("latency").getDouble("max") > 8.9 && mergedNodesMatch(s));
    assertThat(st.getJsonObject("latency").getDouble("max")).isBetween(8.9, 9.2);
    awaitStats(a, StatsClusterTest::exactTotals);
  }

  @Test
  @Order(2)
  void exactlyOneReplicaPublishesClusterStatsOnTheEventBus() throws Exception {
    CompletableFuture<JsonObject> got = new CompletableFuture<>();
    var consumer = b.vertx().eventBus().<JsonObject>consumer(Addresses.STATS_CLUSTER, m -> {
      if (exactTotals(m.body())) {
        got.complete(m.body());
      }
    });
    try {
      JsonObject published = got.get(15, TimeUnit.SECONDS);
      assertThat(ClusterStats.fromJson(published).nodes()).isEqualTo(4);
    } finally {
      consumer.unregister();
    }
    assertThat(publisherGauge(s1) + publisherGauge(s2)).isEqualTo(1);
  }

  @Test
  @Order(3)
  void aPublisherWhoseLockWasFreedBehindItsBackStopsWhenAnotherReplicaTakesIt() {
    SwitchboardNode pub = publisherGauge(s1) == 1 ? s1 : s2;
    SwitchboardNode other = pub == s1 ? s2 : s1;
    assertThat(publisherGauge(other)).isZero();
    double lostBefore = pub.context().metrics().registry().find("switchboard.stats.publisher.lost").counter().count();
    // what Hazelcast does to the lock of a member it drops (paused past the member timeout) while that member, on
    // its side of a split, keeps its Lock object and its member id: Vert.x keeps clustered locks in this map
    pub.context().clusterManager().getHazelcastInstance().getMap("__vertx.map.lock").forceUnlock(StatsVerticle.PUBLISHER_LOCK);
    long deadline = System.currentTimeMillis() + 10_000;
    while (!(publisherGauge(other) == 1 && publisherGauge(pub) == 0)) {
      assertThat(System.currentTimeMillis()).as("publishers: %s %s, %s %s", pub.context().identity().name(), publisherGauge(pub),
          other.context().identity().name(), publisherGauge(other)).isLessThan(deadline);
      Thread.onSpinWait();
    }
    assertThat(pub.context().metrics().registry().find("switchboard.stats.publisher.lost").counter().count()).isEqualTo(lostBefore + 1);
  }

  private static double publisherGauge(SwitchboardNode n) {
    return n.context().metrics().registry().find("switchboard.stats.publisher").gauge().value();
  }

  private static boolean mergedNodesMatch(JsonObject st) {
    HttpResponse<String> r = get(a, "/stats/nodes");
    if (r.statusCode() != 200) {
      return false;
    }
    Histogram merged = Histograms.newHistogram();
    new JsonObject(r.body()).getJsonArray("nodes").forEach(o ->
        merged.add(Histograms.decode(((JsonObject) o).getJsonObject("windowHistograms").getString("messageLatencyUs"))));
    return ClusterView.percentiles(merged).equals(ClusterStats.fromJson(st).latency())
        && merged.getTotalCount() == st.getLong("messagesInWindow") && merged.getTotalCount() > 0;
  }

  @Test
  @Order(5)
  void nodeScopeClientsAndBadQueries() throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    JsonObject node;
    do { // either replica answers; both have b's newest report within an interval
      HttpResponse<String> own = get(b, "/stats?scope=node");
      assertThat(own.statusCode()).isEqualTo(200);
      node = new JsonObject(own.body());
    } while (node.getJsonObject("counters").getLong("messagesIn") != b.context().counters().messagesInTotal()
        && System.currentTimeMillis() < deadline);
    assertThat(node.getString("nodeId")).isEqualTo(b.nodeId());
    assertThat(node.getJsonObject("counters").getLong("messagesIn")).isEqualTo(b.context().counters().messagesInTotal());
    assertThat(node.getJsonObject("histograms").getString("messageLatencyUs")).isNotEmpty();
    assertThat(node.getJsonObject("memory").getLong("heapMax")).isPositive();

    HttpResponse<String> unknown = get(a, "/stats?scope=node&nodeId=no-such-node");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("no-such-node");

    ReplyException bad = (ReplyException) a.vertx().eventBus()
        .request(Addresses.STATS_QUERY, new JsonObject().put("scope", "everything"), new DeliveryOptions().setSendTimeout(2000))
        .toCompletionStage().toCompletableFuture().handle((m, e) -> e.getCause() != null ? e.getCause() : e).get();
    assertThat(bad.failureCode()).isEqualTo(400);
    assertThat(bad.getMessage()).contains("scope must be");

    HttpResponse<String> agents = get(b, "/api/clients?type=agent&limit=1&offset=1");
    assertThat(agents.statusCode()).as(agents.body()).isEqualTo(200);
    JsonObject page = new JsonObject(agents.body());
    assertThat(page.getLong("total")).isEqualTo(2);
    assertThat(page.getJsonArray("clients")).hasSize(1);
    assertThat(page.getJsonArray("clients").getJsonObject(0).getString("client_id")).isEqualTo("ag-2");
    assertThat(page.getInteger("offset")).isEqualTo(1);
  }

  @Test
  @Order(6)
  void aStoppedNodesContributionIsKeptAndItIsNotDown() {
    traffic(b, 50, 500, 1, 0, 0);
    long t0 = System.nanoTime();
    awaitStats(a, StatsClusterTest::exactTotals);
    System.out.printf("figure: /stats exact %d ms after traffic stopped (stats.interval 200ms)%n", (System.nanoTime() - t0) / 1_000_000);
    cluster.stop(b);
    JsonObject s = awaitStats(a, st -> st.getInteger("nodes") == 3);
    assertThat(exactTotals(s)).as(s.encodePrettily()).isTrue();
    assertThat(s.getJsonArray("downNodes")).isEmpty();
    assertThat(s.getLong("activeConnections")).isEqualTo(4);
  }

  @Test
  @Order(7)
  void aNodeThatLeavesWithoutStoppingIsDownItsTotalsKeptAndARestartIsANewNode() {
    SwitchboardNode c = cluster.start("c", List.of(), FAST);
    everyone.add(c.context().counters());
    traffic(c, 70, 900, 2, 1, 0);
    awaitStats(a, st -> exactTotals(st) && st.getInteger("nodes") == 4);
    String oldId = c.nodeId();
    Await.await(c.vertx().close()); // no graceful stop, no final report: it just leaves the cluster
    JsonObject s = awaitStats(a, st -> st.getInteger("nodes") == 3);
    assertThat(exactTotals(s)).isTrue();
    assertThat(s.getJsonArray("downNodes")).hasSize(1);
    JsonObject down = s.getJsonArray("downNodes").getJsonObject(0);
    assertThat(down.getString("nodeId")).isEqualTo(oldId);
    assertThat(down.getString("name")).isEqualTo("c");
    assertThat(down.getString("reason")).isEqualTo("left");

    SwitchboardNode c2 = cluster.start("c", List.of(), FAST);
    everyone.add(c2.context().counters());
    traffic(c2, 5, 900, 1, 0, 0);
    JsonObject after = awaitStats(a, st -> exactTotals(st) && st.getInteger("nodes") == 4);
    assertThat(c2.nodeId()).isNotEqualTo(oldId);
    assertThat(after.getJsonArray("downNodes")).isEmpty();
    assertThat(after.getLong("totalMessages")).isEqualTo(400 + 350 + 70 + 5);
  }

  @Test
  @Order(8)
  void withoutAStatsServiceTheApiAnswers503AndReadinessIsDegradedThenANewOneHasTheSameTotals() {
    JsonObject before = awaitStats(a, StatsClusterTest::exactTotals);
    cluster.stop(s1);
    cluster.stop(s2);
    everyone.remove(s1.context().counters());
    everyone.remove(s2.context().counters());
    long t0 = System.nanoTime();
    HttpResponse<String> r = get(a, "/stats");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message")).contains("stats");
    assertThat(ms).isLessThan(2_500);
    HttpResponse<String> ready = get(a, "/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject readiness = new JsonObject(ready.body());
    assertThat(readiness.getString("status")).isEqualTo("degraded");
    assertThat(statsFreshCheck()).isEqualTo("DOWN");

    SwitchboardNode s3 = cluster.start("stats-3", List.of(new StatsService()), FAST);
    everyone.add(s3.context().counters());
    // its very first answer already has the totals (from the cluster ledger), before any node reported to it
    JsonObject first = awaitStats(a, st -> true);
    assertThat(first.getLong("totalMessages")).isEqualTo(before.getLong("totalMessages"));
    assertThat(first.getLong("totalConnections")).isEqualTo(before.getLong("totalConnections"));
    assertThat(first.getLong("errors")).isEqualTo(before.getLong("errors"));
    JsonObject complete = awaitStats(a, st -> st.getInteger("nodes") == 3 && st.getInteger("nodesUp") == 3);
    assertThat(complete.getLong("totalMessages")).isEqualTo(before.getLong("totalMessages"));
    assertThat(complete.getLong("totalConnections")).isEqualTo(before.getLong("totalConnections"));
    assertThat(complete.getJsonObject("toolExecutions").getLong("total"))
        .isEqualTo(before.getJsonObject("toolExecutions").getLong("total"));
    // (the whole probe may still be degraded for a moment by clusterSafe while partitions migrate)
    assertThat(statsFreshCheck()).isEqualTo("UP");
  }

  private static String statsFreshCheck() {
    JsonObject readiness = new JsonObject(get(a, "/health/ready").body());
    return readiness.getJsonArray("checks").stream().map(o -> (JsonObject) o)
        .filter(ch -> ch.getString("id").equals("statsFresh")).findFirst().orElseThrow().getString("status");
  }

  @Test
  @Order(9)
  void theIssuesMetersExistWithConventionalNamesAndHelpText() {
    String text = get(a, "/metrics").body();
    assertMetric(text, "switchboard_connections_active", "");
    assertMetric(text, "switchboard_connections_total", "");
    assertMetric(text, "switchboard_messages_total", "direction=\"in\"");
    assertMetric(text, "switchboard_messages_total", "direction=\"out\"");
    assertMetric(text, "switchboard_message_latency_seconds_bucket", "le=");
    assertMetric(text, "switchboard_errors_total", "code=\"RATE_LIMITED\"");
    assertMetric(text, "switchboard_tool_executions_total", "status=\"failed\"");
    assertMetric(text, "switchboard_tool_execution_duration_seconds_bucket", "le=");
    assertMetric(text, "switchboard_ws_connection_duration_seconds_bucket", "le=");
    assertMetric(text, "switchboard_stats_reports_published_total", "");
    assertMetric(text, "switchboard_stats_report_size_bytes", "");
    assertMetric(text, "switchboard_stats_report_build_seconds_total", "");
    var reg = a.context().metrics().registry();
    double built = reg.find("switchboard.stats.report.build.seconds").functionCounter().count();
    double reports = reg.find("switchboard.stats.reports.published").functionCounter().count();
    System.out.printf("figure: %.0f reports, %.1f µs CPU each to build and encode; last report %.0f bytes%n", reports,
        built / reports * 1e6, reg.find("switchboard.stats.report.size").gauge().value());
    SwitchboardNode statsNode = cluster.nodes().stream().filter(n -> n.context().identity().hasRole("stats")).findFirst().orElseThrow();
    String statsText = get(statsNode, "/metrics").body();
    assertMetric(statsText, "switchboard_stats_reports_total", "outcome=\"accepted\"");
    assertMetric(statsText, "switchboard_stats_nodes", "state=\"up\"");
    assertMetric(statsText, "switchboard_stats_queries_total", "scope=\"cluster\"");
    assertMetric(statsText, "switchboard_stats_publisher", "");
    assertMetric(statsText, "switchboard_stats_ledger_writes_total", "");
  }

  private static void assertMetric(String text, String name, String label) {
    assertThat(text.lines().anyMatch(l -> l.startsWith(name + "{") && l.contains(label))).as(name + " " + label).isTrue();
    String family = name.replaceAll("_(bucket)$", "");
    assertThat(text).as("help of " + family).contains("# HELP " + family + " ");
  }
}
