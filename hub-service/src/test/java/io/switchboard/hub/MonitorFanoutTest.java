package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.MonitorFrame;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.RawWebSocket;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The /ws fan-out's slow-consumer rule (docs/monitor.md, Limits and liveness), over real sockets that stop reading:
 * a lagging socket holds at most hub.writeQueueMaxBytes beyond its full write queue, a newer stats view replaces the
 * one it holds (so a dashboard that lags gets the latest view and is not cut), and frames that each count (events)
 * cut the socket 1008 as soon as its hold would overflow, long before hub.slowConsumerGrace.
 */
class MonitorFanoutTest {
  /** Large enough that loopback's socket buffers fill after a few hundred frames. */
  private static final String PAD = "x".repeat(16 * 1024);
  static TestNodes.Cluster cluster;
  static SwitchboardNode node;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    Map<String, Object> o = new HashMap<>();
    o.put("cluster.mode", "none");
    o.put("hub.writeQueueMaxBytes", "64KiB");
    // only the hold's bound may cut within the test's deadlines
    o.put("hub.slowConsumerGrace", "120s");
    o.put("hub.handshakeTimeout", "60s");
    node = cluster.start("fanout", List.of(new HubService()), o);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static long errors(String code) {
    return node.context().counters().errors(code);
  }

  private static double coalesced() {
    FunctionCounter c = node.context().metrics().registry().find("switchboard.monitor.frames.coalesced").functionCounter();
    return c == null ? 0 : c.count();
  }

  private static RawWebSocket subscribed(String topic) throws Exception {
    RawWebSocket ws = new RawWebSocket(node.httpPort(), "/ws", 4096);
    ws.soTimeout(30_000);
    ws.sendText(new JsonObject().put("type", "subscribe").put("topic", topic).encode());
    assertThat(ws.readUntilType("subscribed").getString("topic")).isEqualTo(topic);
    return ws;
  }

  @Test
  void aLaggingStatsSubscriberKeepsOnlyTheLatestViewAndIsNotCut() throws Exception {
    long slowBefore = errors(ErrorCodes.SLOW_CONSUMER);
    double coalescedBefore = coalesced();
    try (RawWebSocket lagging = subscribed(MonitorFrame.TOPIC_STATS)) {
      // far more than the socket buffers, the write queue and the hold together: 2,000 views of 16 KiB
      int views = 2_000;
      for (int i = 1; i <= views; i++) {
        node.vertx().eventBus().publish(Addresses.STATS_CLUSTER, new JsonObject().put("benchView", i).put("pad", PAD));
      }
      eventually(() -> assertThat(coalesced()).isGreaterThan(coalescedBefore));
      // reading again, the socket gets the views it was sent and then the newest one
      int last = 0;
      while (last < views) {
        JsonObject f = lagging.readUntilType("stats");
        last = f.getJsonObject("data").getInteger("benchView", last);
      }
      assertThat(last).isEqualTo(views);
    }
    assertThat(errors(ErrorCodes.SLOW_CONSUMER)).isEqualTo(slowBefore);
  }

  @Test
  void aLaggingEventsSubscriberIsCutWhenItsHoldWouldOverflowNotAfterTheGrace() throws Exception {
    long slowBefore = errors(ErrorCodes.SLOW_CONSUMER);
    try (RawWebSocket lagging = subscribed(MonitorFrame.TOPIC_EVENTS)) {
      // each event counts: none replaces another, so the hold fills and the socket is cut. Published in batches of
      // 100, each once the node's bus has delivered the batch before it (a counting consumer beside the relay's)
      AtomicLong delivered = new AtomicLong();
      MessageConsumer<JsonObject> counter = node.vertx().eventBus().consumer(Addresses.HUB_EVENTS, m -> delivered.incrementAndGet());
      Await.await(counter.completion());
      try {
        long published = 0;
        while (errors(ErrorCodes.SLOW_CONSUMER) == slowBefore && published < 5_000) {
          node.vertx().eventBus().publish(Addresses.HUB_EVENTS, new JsonObject().put("type", "bench").put("pad", PAD));
          published++;
          if (published % 100 == 0) {
            long sent = published;
            Await.waitFor(Duration.ofSeconds(15), () -> delivered.get() >= sent, "the node's bus delivers the events");
          }
        }
        eventually(() -> assertThat(errors(ErrorCodes.SLOW_CONSUMER)).isEqualTo(slowBefore + 1));
        List<String> texts = new ArrayList<>();
        assertThat(lagging.readUntilClose(texts)).isEqualTo(1008);
      } finally {
        counter.unregister();
      }
    }
  }
}
