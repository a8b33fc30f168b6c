package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.MonitorTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /ws subscription limits over real sockets: the per-socket cap (hub.monitor.maxSubscriptions), the request rate
 * limit and its 1008 close (hub.monitor.subscribeRate, hub.monitor.subscribeRateCloseAfter), and closing a socket
 * that watches many executions while a neighbour keeps being answered. Node capped: cap 5; node limited: 20
 * requests/s, close after 30 refusals; node big: a large cap, all on one event loop (http.instances 1).
 */
class MonitorSubscriptionLimitsTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode capped;
  static SwitchboardNode limited;
  static SwitchboardNode big;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    capped = cluster.start("capped", List.of(new HubService()), Map.of(
        "cluster.mode", "none",
        "hub.monitor.maxSubscriptions", 5));
    limited = cluster.start("limited", List.of(new HubService()), Map.of(
        "cluster.mode", "none",
        "hub.monitor.subscribeRate", 20,
        "hub.monitor.subscribeRateCloseAfter", 30));
    big = cluster.start("big", List.of(new HubService()), Map.of(
        "http.instances", 1,
        "hub.monitor.maxSubscriptions", 1_000_000,
        "hub.monitor.subscribeRate", 10_000_000,
        "hub.monitor.subscribeRateCloseAfter", 10_000_000));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  static long errors(SwitchboardNode n, String code) {
    return n.context().counters().errors(code);
  }

  static JsonObject subscribe(String execId) {
    return new JsonObject().put("type", "subscribe").put("executionId", execId);
  }

  static JsonObject unsubscribe(String execId) {
    return new JsonObject().put("type", "unsubscribe").put("executionId", execId);
  }

  static JsonObject acked(MonitorTestClient m, String type, String execId) {
    return m.next(f -> type.equals(f.getString("type")) && execId.equals(f.getString("executionId")));
  }

  static double watched(SwitchboardNode n) {
    return n.context().metrics().registry().get("switchboard.monitor.watched.executions").gauge().value();
  }

  @Test
  void aSubscribeBeyondTheCapGetsSubscriptionLimitAndTheSocketCarriesOn() {
    long before = errors(capped, ErrorCodes.SUBSCRIPTION_LIMIT);
    try (MonitorTestClient m = MonitorTestClient.connect(vertx, capped.httpPort())) {
      for (int i = 1; i <= 5; i++) {
        m.send(subscribe("exec-" + i));
        acked(m, "subscribed", "exec-" + i);
      }
      m.send(subscribe("exec-6"));
      JsonObject err = m.error(ErrorCodes.SUBSCRIPTION_LIMIT);
      assertThat(err.getJsonObject("data").getString("message")).contains("5");
      assertThat(errors(capped, ErrorCodes.SUBSCRIPTION_LIMIT)).isEqualTo(before + 1);
      // subscribing again to one already watched takes no new place
      m.send(subscribe("exec-1"));
      acked(m, "subscribed", "exec-1");
      m.send(unsubscribe("exec-1"));
      acked(m, "unsubscribed", "exec-1");
      m.send(subscribe("exec-6"));
      acked(m, "subscribed", "exec-6");
      // topics are not executions: still open to this socket
      m.send(new JsonObject().put("type", "subscribe").put("topic", "stats"));
      m.next(f -> "subscribed".equals(f.getString("type")) && "stats".equals(f.getString("topic")));
      assertThat(m.isClosed()).isFalse();
      assertThat(errors(capped, ErrorCodes.SUBSCRIPTION_LIMIT)).isEqualTo(before + 1);
    }
  }

  @Test
  void aRequestFloodIsRefusedRateLimitedThenClosed1008() {
    long before = errors(limited, ErrorCodes.RATE_LIMITED);
    try (MonitorTestClient neighbour = MonitorTestClient.connect(vertx, limited.httpPort());
         MonitorTestClient flood = MonitorTestClient.connect(vertx, limited.httpPort())) {
      try {
        for (int i = 0; i < 2000 && flood.sendNoWait(subscribe("flood-" + i)); i++) {
          if (i % 100 == 99) {
            flood.send(subscribe("flood-sync-" + i));
          }
        }
      } catch (IllegalStateException closedWhileSending) {
        // the server closed the socket while we were still writing
      }
      JsonObject err = flood.error(ErrorCodes.RATE_LIMITED);
      assertThat(err.getJsonObject("data").getString("message")).contains("20 requests/s");
      assertThat(flood.awaitClose()).isEqualTo((short) 1008);
      // a one-second burst passed; the rest was refused, not processed
      long acks = flood.seen().stream().filter(f -> "subscribed".equals(f.getString("type"))).count();
      assertThat(acks).isBetween(1L, 60L);
      assertThat(errors(limited, ErrorCodes.RATE_LIMITED)).isGreaterThanOrEqualTo(before + 30);
      neighbour.send(subscribe("calm"));
      acked(neighbour, "subscribed", "calm");
      assertThat(neighbour.isClosed()).isFalse();
    }
  }

  @Test
  void closingASocketWithManySubscriptionsLetsItsNeighbourBeAnswered() throws Exception {
    int n = 100_000;
    MonitorTestClient heavy = MonitorTestClient.connect(vertx, big.httpPort());
    try (MonitorTestClient neighbour = MonitorTestClient.connect(vertx, big.httpPort())) {
      String prefix = UUID.randomUUID() + "-";
      for (int i = 0; i < n; i++) {
        heavy.sendNoWait(subscribe(prefix + i));
        if (i % 1000 == 999) {
          heavy.send(subscribe(prefix + i));
        }
      }
      heavy.send(subscribe(prefix + "last"));
      acked(heavy, "subscribed", prefix + "last");
      heavy.close();
      // while the node gives up the closed socket's subscriptions, the neighbour (same event loop) is answered
      long worstNanos = 0;
      long until = System.nanoTime() + 3_000_000_000L;
      for (int k = 0; System.nanoTime() < until; k++) {
        String id = "probe-" + k;
        long t0 = System.nanoTime();
        neighbour.send(subscribe(id));
        acked(neighbour, "subscribed", id);
        worstNanos = Math.max(worstNanos, System.nanoTime() - t0);
        neighbour.send(unsubscribe(id));
        acked(neighbour, "unsubscribed", id);
      }
      System.out.printf("[figure] worst neighbour round trip while 100,000 subscriptions were given up: %d ms%n",
          worstNanos / 1_000_000);
      // a close that held the loop would hold it for seconds; a busy machine delays a round trip by moments
      assertThat(worstNanos / 1_000_000).as("worst neighbour round trip, ms").isLessThan(5_000);
      eventually(() -> assertThat(watched(big)).isZero());
    }
  }
}
