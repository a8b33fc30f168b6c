package io.switchboard.common.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.Addresses;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both event-bus bridges of one node (cluster.mode none, no roles) against raw clients: the TCP bridge's
 * length-prefixed JSON frames and SockJS's raw WebSocket transport. The test plays the stats publisher itself.
 */
class EventBusBridgeTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static TestNodes.Cluster cluster;
  private static SwitchboardNode node;
  private static int tcpPort;
  private static long publisher;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster(2);
    tcpPort = TestNodes.freePort();
    node = cluster.start("bridge", List.of(), Map.of("cluster.mode", "none", "bridge.tcp.port", tcpPort,
        "hub.maxMessageBytes", "4KiB", "hub.rateLimit", 50, "hub.rateLimitCloseAfter", 20,
        "hub.writeQueueMaxBytes", "16KiB", "hub.slowConsumerGrace", "300ms"));
    publisher = node.vertx().setPeriodic(50, t -> node.vertx().eventBus().publish(Addresses.STATS_CLUSTER,
        new JsonObject().put("nodes", 1).put("at", System.currentTimeMillis())));
  }

  @AfterAll
  static void stop() {
    node.vertx().cancelTimer(publisher);
    cluster.close();
  }

  private static double count(String name, String bridge, String tagKey, String tagValue) {
    MeterRegistry r = node.context().metrics().registry();
    Counter c = r.find(name).tag("bridge", bridge).tag(tagKey, tagValue).counter();
    return c == null ? 0 : c.count();
  }

  private static BridgeFrames tcp() throws Exception {
    return new BridgeFrames("127.0.0.1", tcpPort);
  }

  @Test
  void tcpClientReceivesStatsItRegisteredFor() throws Exception {
    try (BridgeFrames c = tcp()) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER));
      JsonObject m = c.next(WAIT, f -> "message".equals(f.getString("type")));
      assertThat(m.getString("address")).isEqualTo(Addresses.STATS_CLUSTER);
      assertThat(m.getJsonObject("body").getInteger("nodes")).isEqualTo(1);
    }
  }

  @Test
  void tcpSendToAToolIsRefusedWithAnErrorFrameAndCounted() throws Exception {
    double before = count("switchboard.bridge.refused", "tcp", "address_class", "tool");
    try (BridgeFrames c = tcp()) {
      c.send(new JsonObject().put("type", "send").put("address", "switchboard.tool.echo").put("body", new JsonObject()));
      c.next(WAIT, f -> BridgeFrames.err(f) != null);
      // the socket stays usable
      c.send(new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER));
      c.next(WAIT, f -> "message".equals(f.getString("type")));
    }
    assertThat(count("switchboard.bridge.refused", "tcp", "address_class", "tool")).isEqualTo(before + 1);
  }

  @Test
  void tcpSilenceWritesAndNodeAddressesAreRefusedByClass() throws Exception {
    double silence = count("switchboard.bridge.refused", "tcp", "address_class", "silence");
    double nodeClass = count("switchboard.bridge.refused", "tcp", "address_class", "node");
    double other = count("switchboard.bridge.refused", "tcp", "address_class", "other");
    try (BridgeFrames c = tcp()) {
      c.send(new JsonObject().put("type", "send").put("address", Addresses.ALERTS_QUERY)
          .put("body", new JsonObject().put("what", "createSilence").put("silence", new JsonObject())));
      c.next(WAIT, f -> BridgeFrames.err(f) != null);
      c.send(new JsonObject().put("type", "register").put("address", Addresses.nodeTx(node.nodeId())));
      c.next(WAIT, f -> BridgeFrames.err(f) != null);
      c.send(new JsonObject().put("type", "register").put("address", "somewhere.else"));
      c.next(WAIT, f -> BridgeFrames.err(f) != null);
    }
    assertThat(count("switchboard.bridge.refused", "tcp", "address_class", "silence")).isEqualTo(silence + 1);
    assertThat(count("switchboard.bridge.refused", "tcp", "address_class", "node")).isEqualTo(nodeClass + 1);
    assertThat(count("switchboard.bridge.refused", "tcp", "address_class", "other")).isEqualTo(other + 1);
  }

  @Test
  void tcpMalformedJsonGetsAnErrorFrameAndTheSocketGoesOn() throws Exception {
    double before = count("switchboard.bridge.errors", "tcp", "reason", "malformed");
    try (BridgeFrames c = tcp()) {
      c.sendRaw("{\"type\":\"send\",".getBytes(StandardCharsets.UTF_8));
      assertThat(c.next(WAIT, f -> BridgeFrames.err(f) != null).getString("message")).isEqualTo("invalid_json");
      c.sendRaw("[1,2]".getBytes(StandardCharsets.UTF_8));
      assertThat(c.next(WAIT, f -> BridgeFrames.err(f) != null).getString("message")).isEqualTo("invalid_json");
      c.send(new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER));
      c.next(WAIT, f -> "message".equals(f.getString("type")));
    }
    assertThat(count("switchboard.bridge.errors", "tcp", "reason", "malformed")).isEqualTo(before + 2);
  }

  @Test
  void tcpOversizedFrameIsCutWithoutBeingBuffered() throws Exception {
    double before = count("switchboard.bridge.errors", "tcp", "reason", "too_large");
    try (BridgeFrames c = tcp()) {
      c.sendLength(1 << 30);
      assertThat(c.next(WAIT, f -> BridgeFrames.err(f) != null).getString("message")).isEqualTo("frame_too_large");
      assertThat(c.closedWithin(WAIT)).isTrue();
    }
    try (BridgeFrames c = tcp()) {
      byte[] big = new JsonObject().put("type", "send").put("address", Addresses.STATS_QUERY)
          .put("body", new JsonObject().put("pad", "x".repeat(5000))).encode().getBytes(StandardCharsets.UTF_8);
      c.sendRaw(big);
      assertThat(c.next(WAIT, f -> BridgeFrames.err(f) != null).getString("message")).isEqualTo("frame_too_large");
      assertThat(c.closedWithin(WAIT)).isTrue();
    }
    assertThat(count("switchboard.bridge.errors", "tcp", "reason", "too_large")).isEqualTo(before + 2);
    // the node is still up
    try (BridgeFrames c = tcp()) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER));
      c.next(WAIT, f -> "message".equals(f.getString("type")));
    }
  }

  @Test
  void tcpFloodIsRefusedThenCut() throws Exception {
    double before = count("switchboard.bridge.errors", "tcp", "reason", "rate_limited");
    try (BridgeFrames c = tcp()) {
      byte[] ping = new JsonObject().put("type", "ping").encode().getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 2000; i++) {
        try {
          c.sendRaw(ping);
        } catch (IOException e) {
          break;
        }
      }
      assertThat(c.next(WAIT, f -> BridgeFrames.err(f) != null).getString("message")).isEqualTo("rate_limited");
      assertThat(c.closedWithin(WAIT)).isTrue();
    }
    assertThat(count("switchboard.bridge.errors", "tcp", "reason", "rate_limited")).isGreaterThanOrEqualTo(before + 20);
  }

  /** A SockJS raw WebSocket client of the node ({@code /eventbus/websocket}); {@code reading} false: it never reads. */
  private static final class SockJsClient extends SockJsTestClient {
    SockJsClient(boolean reading) throws Exception {
      super(URI.create("ws://127.0.0.1:" + node.httpPort() + "/eventbus/websocket"), reading);
    }
  }

  /** The bridge closes a socket that stops pinging once its ping timeout (10 s) passes, like an expired session. */
  @Test
  void aSockJsClientThatNeverPingsIsClosedAfterThePingTimeout() throws Exception {
    try (SockJsClient c = new SockJsClient(true)) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER));
      assertThat(poll(c.frames, f -> Addresses.STATS_CLUSTER.equals(f.getString("address")))).isNotNull();
      Await.waitFor(Duration.ofSeconds(60), c.closed::isDone, "the silent socket is closed by the bridge");
    }
  }

  @Test
  void sockJsRawWebSocketReceivesStatsAndIsRefusedAToolSend() throws Exception {
    double before = count("switchboard.bridge.refused", "sockjs", "address_class", "tool");
    try (SockJsClient c = new SockJsClient(true)) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER));
      assertThat(poll(c.frames, f -> Addresses.STATS_CLUSTER.equals(f.getString("address")))).isNotNull();
      c.send(new JsonObject().put("type", "send").put("address", "switchboard.tool.echo").put("body", new JsonObject()));
      assertThat(poll(c.frames, f -> "err".equals(f.getString("type")))).isNotNull();
      Await.waitFor(WAIT, () -> count("switchboard.bridge.refused", "sockjs", "address_class", "tool") == before + 1,
          "the refused tool send is counted");
    }
  }

  @Test
  void sockJsClientRegisteredOnEveryOutboundAddressMayStillAskReadQueries() throws Exception {
    MessageConsumer<JsonObject> stats = node.vertx().eventBus().consumer(Addresses.STATS_QUERY,
        m -> m.reply(new JsonObject().put("scope", m.body().getString("scope"))));
    Await.await(stats.completion());
    try (SockJsClient c = new SockJsClient(true)) {
      for (String address : List.of(Addresses.STATS_CLUSTER, Addresses.ALERTS, Addresses.HEALTH_CLUSTER, Addresses.HUB_EVENTS)) {
        c.send(new JsonObject().put("type", "register").put("address", address));
      }
      for (int i = 0; i < 5; i++) {
        c.send(new JsonObject().put("type", "send").put("address", Addresses.STATS_QUERY)
            .put("body", new JsonObject().put("scope", "q" + i)).put("replyAddress", "reply." + i));
      }
      for (int i = 0; i < 5; i++) {
        String replyAddress = "reply." + i;
        JsonObject reply = poll(c.frames, f -> replyAddress.equals(f.getString("address")));
        assertThat(reply).as(replyAddress).isNotNull();
        assertThat(reply.getString("type")).isEqualTo("rec");
      }
      assertThat(c.frames).noneMatch(f -> "err".equals(f.getString("type")));
    } finally {
      stats.unregister();
    }
  }

  @Test
  void sockJsMalformedJsonIsAnsweredAndCountedOversizedAndFloodsAreCut() throws Exception {
    double malformed = count("switchboard.bridge.errors", "sockjs", "reason", "malformed");
    double tooLarge = count("switchboard.bridge.errors", "sockjs", "reason", "too_large");
    double flood = count("switchboard.bridge.errors", "sockjs", "reason", "rate_limited");
    try (SockJsClient c = new SockJsClient(true)) {
      c.send("{\"type\":\"send\",");
      JsonObject e = poll(c.frames, f -> "err".equals(f.getString("type")));
      assertThat(e).isNotNull();
      assertThat(e.getString("body")).isEqualTo("invalid_json");
      c.send(new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER));
      assertThat(poll(c.frames, f -> Addresses.STATS_CLUSTER.equals(f.getString("address")))).isNotNull();
    }
    assertThat(count("switchboard.bridge.errors", "sockjs", "reason", "malformed")).isEqualTo(malformed + 1);
    try (SockJsClient c = new SockJsClient(true)) {
      c.send(new JsonObject().put("type", "send").put("address", Addresses.STATS_QUERY)
          .put("body", new JsonObject().put("pad", "x".repeat(5000))));
      assertThat(c.closed.get(15, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(count("switchboard.bridge.errors", "sockjs", "reason", "too_large")).isEqualTo(tooLarge + 1);
    try (SockJsClient c = new SockJsClient(true)) {
      String ping = new JsonObject().put("type", "ping").encode();
      for (int i = 0; i < 2000 && !c.closed.isDone(); i++) {
        try {
          c.send(ping);
        } catch (RuntimeException e) {
          break;
        }
      }
      assertThat(c.closed.get(15, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(count("switchboard.bridge.errors", "sockjs", "reason", "rate_limited")).isGreaterThanOrEqualTo(flood + 20);
  }

  /** Publishes 8 KB hub events every 5 ms until closed: more than a client that does not read can take. */
  private static AutoCloseable flood() {
    JsonObject big = new JsonObject().put("pad", "y".repeat(8192));
    long timer = node.vertx().setPeriodic(5, t -> node.vertx().eventBus().publish(Addresses.HUB_EVENTS, big));
    return () -> node.vertx().cancelTimer(timer);
  }

  @Test
  void sockJsClientThatDoesNotReadIsCut() throws Exception {
    double before = count("switchboard.bridge.errors", "sockjs", "reason", "slow_consumer");
    try (SockJsClient c = new SockJsClient(false); AutoCloseable f = flood()) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.HUB_EVENTS));
      Await.waitFor(WAIT, () -> count("switchboard.bridge.errors", "sockjs", "reason", "slow_consumer") >= before + 1,
          "the client that does not read is cut as a slow consumer");
    }
  }

  @Test
  void tcpClientThatDoesNotReadIsCut() throws Exception {
    double before = count("switchboard.bridge.errors", "tcp", "reason", "slow_consumer");
    try (BridgeFrames c = tcp(); AutoCloseable f = flood()) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.HUB_EVENTS));
      Await.waitFor(WAIT, () -> count("switchboard.bridge.errors", "tcp", "reason", "slow_consumer") >= before + 1,
          "the client that does not read is cut as a slow consumer");
    }
  }

  private static JsonObject poll(LinkedBlockingQueue<JsonObject> q, Predicate<JsonObject> match)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      JsonObject f = q.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      if (f != null && match.test(f)) {
        return f;
      }
    }
    return null;
  }

  @Test
  void aToolOrNodeAddressInTheConfigurationStopsTheStartNamingTheKey() {
    try (TestNodes.Cluster c = new TestNodes.Cluster(2)) {
      assertThatThrownBy(() -> c.start("open-tool", List.of(), Map.of("cluster.mode", "none",
          "bridge.inbound", "switchboard.stats.query,switchboard.tool.echo")))
          .hasRootCauseInstanceOf(ConfigException.class).hasMessageContaining("bridge.inbound");
      assertThatThrownBy(() -> c.start("open-node", List.of(), Map.of("cluster.mode", "none",
          "bridge.outbound", "switchboard.node.x.tx")))
          .hasRootCauseInstanceOf(ConfigException.class).hasMessageContaining("bridge.outbound");
    }
  }
}
