package io.switchboard.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.stats.ClusterStats;
import io.switchboard.common.stats.LedgerEntry;
import io.switchboard.common.stats.NodeReport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The JSON contracts: round trips, validation with specific messages, and the size of a report. */
class ContractsTest {
  static final long T0 = ClusterViewTest.T0;

  @Test
  void nodeReportRoundTripsAndStaysSmall() {
    SimNode n = new SimNode("node-a", T0).connections(100, "client").messages(50_000, 700).errors(30, "RATE_LIMITED")
        .executions(900, 40, 150_000);
    for (int i = 0; i < 10_000; i++) {
      n.counters.recordHeartbeatRttNanos(200_000 + i * 37L);
    }
    NodeReport r = n.report(T0 + 1000);
    JsonObject json = r.toJson();
    NodeReport back = NodeReport.fromJson(new JsonObject(json.encode()));
    assertThat(back).isEqualTo(r);
    int bytes = json.encode().length();
    System.out.println("NodeReport size with traffic: " + bytes + " bytes; idle: "
        + new SimNode("node-b", T0).report(T0).toJson().encode().length() + " bytes");
    assertThat(bytes).isLessThan(8 * 1024);
  }

  @Test
  void badReportsAreRefusedWithTheField() {
    JsonObject good = new SimNode("a", T0).report(T0 + 1).toJson();
    assertThatThrownBy(() -> NodeReport.fromJson(good.copy().put("seq", "x"))).hasMessageContaining("seq");
    assertThatThrownBy(() -> NodeReport.fromJson(good.copy().put("nodeId", ""))).hasMessageContaining("nodeId");
    assertThatThrownBy(() -> NodeReport.fromJson(good.copy().put("counters", new JsonArray()))).hasMessageContaining("counters");
    assertThatThrownBy(() -> NodeReport.fromJson(good.copy().put("memory", 3))).hasMessageContaining("memory");
    assertThatThrownBy(() -> NodeReport.fromJson(good.copy().remove("timestamp") == null ? good : good.copy().putNull("timestamp")))
        .hasMessageContaining("timestamp");
  }

  @Test
  void aBadHistogramCostsOnlyThatNodesPercentiles() {
    ClusterView v = new ClusterView(ClusterViewTest.SETTINGS);
    SimNode a = new SimNode("a", T0).messages(10, 1000);
    NodeReport r = a.report(T0 + 1000);
    r.counters().getJsonObject("histograms").put("messageLatencyUs", "not base64 at all!");
    v.accept(r, T0 + 1000);
    SimNode b = new SimNode("b", T0).messages(10, 2000);
    v.accept(b.report(T0 + 1000), T0 + 1000);
    ClusterStats s = v.stats(T0 + 1000);
    assertThat(s.totalMessages()).isEqualTo(20);
    assertThat(s.latency().p50()).isBetween(1.99, 2.01);
  }

  @Test
  void clusterStatsRoundTripsWithEveryDocumentedField() {
    ClusterView v = new ClusterView(ClusterViewTest.SETTINGS);
    SimNode a = new SimNode("a", T0).messages(10, 1000).connections(2, "agent").executions(3, 1, 10_000);
    v.accept(a.report(T0 + 1000), T0 + 1000);
    v.members(Set.of(a.memberId), T0 + 1000);
    SimNode b = new SimNode("b", T0).messages(1, 1000);
    v.accept(b.report(T0 + 1000), T0 + 1000);
    v.members(Set.of(a.memberId, b.memberId), T0 + 1000);
    v.members(Set.of(a.memberId), T0 + 1200);
    ClusterStats s = v.stats(T0 + 1500);
    JsonObject json = s.toJson();
    assertThat(ClusterStats.fromJson(new JsonObject(json.encode()))).isEqualTo(s);
    assertThat(json.fieldNames()).containsAll(List.of("totalConnections", "activeConnections", "totalMessages",
        "messagesOut", "messagesPerSecond", "averageLatency", "latency", "errorRate", "errors", "framesInWindow",
        "messagesInWindow", "uptime", "memoryUsage", "toolExecutions", "executionsInWindow", "executionFailureRate",
        "executionDuration", "agentsConnected", "clientsConnected", "nodes", "nodesUp", "nodesDown", "downNodes",
        "window", "timestamp", "perNode"));
    assertThat(json.getJsonArray("downNodes").getJsonObject(0).fieldNames())
        .containsExactlyInAnyOrder("nodeId", "name", "since", "reason");
    assertThat(json.getJsonArray("perNode").getJsonObject(0).fieldNames()).containsExactlyInAnyOrder("nodeId", "name",
        "roles", "stale", "activeConnections", "maxConnections", "agents", "clients", "heapUsed", "heapMax", "heapRatio",
        "lastReportAt");
  }

  @Test
  void ledgerEntriesConvergeWhateverTheOrderOfMerges() {
    SimNode a = new SimNode("a", T0).messages(5, 100);
    LedgerEntry live1 = LedgerEntry.of(a.report(T0 + 1000), LedgerEntry.LIVE, null);
    a.messages(5, 100);
    LedgerEntry live2 = LedgerEntry.of(a.report(T0 + 2000), LedgerEntry.LIVE, null);
    LedgerEntry left = live2.withState(LedgerEntry.LEFT, T0 + 2500);
    LedgerEntry stopped = live2.withState(LedgerEntry.STOPPED, T0 + 2400);
    List<LedgerEntry> all = List.of(live1, live2, left, stopped);
    LedgerEntry expected = null;
    for (LedgerEntry e : all) {
      expected = LedgerEntry.merge(expected, e);
    }
    assertThat(expected.state()).isEqualTo("stopped");
    assertThat(expected.departedAt()).isEqualTo(T0 + 2400);
    assertThat(expected.totals().messagesIn()).isEqualTo(10);
    LedgerEntry reversed = null;
    for (int i = all.size() - 1; i >= 0; i--) {
      reversed = LedgerEntry.merge(all.get(i), reversed);
    }
    assertThat(reversed).isEqualTo(expected);
    assertThat(LedgerEntry.fromJson(new JsonObject(expected.toJson().encode()))).isEqualTo(expected);
  }

  @Test
  void queriesAreValidated() {
    assertThat(StatsQuery.parse(new JsonObject()).scope()).isEqualTo("cluster");
    assertThat(StatsQuery.parse(new JsonObject().put("scope", "clients").put("type", "agent").put("limit", 5).put("offset", 10)))
        .isEqualTo(new StatsQuery("clients", null, "agent", 5, 10));
    assertThatThrownBy(() -> StatsQuery.parse(new JsonObject().put("scope", "everything"))).hasMessageContaining("scope must be");
    assertThatThrownBy(() -> StatsQuery.parse(new JsonObject().put("scope", "node"))).hasMessageContaining("nodeId");
    assertThatThrownBy(() -> StatsQuery.parse(new JsonObject().put("scope", "clients").put("limit", 0))).hasMessageContaining("limit");
    assertThatThrownBy(() -> StatsQuery.parse(new JsonObject().put("scope", "clients").put("type", "robot"))).hasMessageContaining("type");
    assertThatThrownBy(() -> StatsQuery.parse("cluster")).isInstanceOf(StatsQuery.BadQuery.class);
  }

  @Test
  void clientPagesMergeSortAndPage() {
    JsonObject n1 = new JsonObject().put("total", 3).put("clients", new JsonArray()
        .add(client("c1", "client", 100)).add(client("a1", "agent", 300)).add(client("c3", "client", 500)));
    JsonObject n2 = new JsonObject().put("total", 2).put("clients", new JsonArray()
        .add(client("c2", "client", 200)).add(client("a2", "agent", 400)));
    JsonObject page = ClientPages.merge(List.of(new ClientPages.NodeAnswer("n1", n1, null),
        new ClientPages.NodeAnswer("n2", n2, null), new ClientPages.NodeAnswer("n3", null, "timeout")), null, 2, 1);
    assertThat(page.getLong("total")).isEqualTo(5);
    assertThat(page.getJsonArray("clients").stream().map(o -> ((JsonObject) o).getString("client_id")))
        .containsExactly("c2", "a1");
    assertThat(page.getBoolean("partial")).isTrue();
    assertThat(page.getJsonArray("missingNodes").getJsonObject(0).getString("nodeId")).isEqualTo("n3");
  }

  private static JsonObject client(String id, String type, long at) {
    return new JsonObject().put("client_id", id).put("type", type).put("platform", "test").put("node", "n")
        .put("connected_at", at).put("uptime_seconds", 1);
  }
}
