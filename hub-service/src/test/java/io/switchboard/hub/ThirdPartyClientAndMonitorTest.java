package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.Addresses;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.HaipTestClient;
import io.switchboard.hub.testing.MonitorTestClient;
import io.switchboard.hub.testing.RawWebSocket;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire format driven by a third-party WebSocket client (Java-WebSocket), the monitor stream's topics, hub
 * events, WebSocket-level liveness and the 1001 drain, on a two-node cluster.
 */
class ThirdPartyClientAndMonitorTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode a;
  static SwitchboardNode b;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    Map<String, Object> fastLiveness = Map.of("hub.pingInterval", "200ms", "hub.idleTimeout", "1s");
    a = cluster.start("a", List.of(new HubService()), fastLiveness);
    b = cluster.start("b", List.of(new HubService()), fastLiveness);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  /** A HAIP client on Java-WebSocket: frames as JSON text, nothing of ours on the client side. */
  static final class JwsClient extends WebSocketClient {
    final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    JwsClient(int port, String path) {
      super(URI.create("ws://127.0.0.1:" + port + path));
    }

    @Override
    public void onOpen(ServerHandshake h) { }

    @Override
    public void onMessage(String message) {
      inbox.add(new JsonObject(message));
    }

    @Override
    public void onMessage(ByteBuffer bytes) { }

    @Override
    public void onClose(int code, String reason, boolean remote) {
      closed.complete(code);
    }

    @Override
    public void onError(Exception ex) { }

    JsonObject next(String type) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        JsonObject f = inbox.poll(200, TimeUnit.MILLISECONDS);
        if (f != null && type.equals(f.getString("type"))) {
          return f;
        }
      }
      throw new AssertionError("no " + type);
    }

    void sendFrame(String session, String type, String tx, Object payload) {
      // Exactly what the reference SDK sends: transaction "null" as a string, seq = Date.now() as a string.
      send(new JsonObject().put("id", UUID.randomUUID().toString()).put("session", session)
          .put("transaction", tx == null ? "null" : tx).put("seq", String.valueOf(System.currentTimeMillis()))
          .put("ts", String.valueOf(System.currentTimeMillis())).put("channel", "USER").put("type", type)
          .put("payload", payload).encode());
    }
  }

  @Test
  void fullEchoFlowWithJavaWebSocket() throws Exception {
    JwsClient c = new JwsClient(b.httpPort(), "/haip/websocket");
    assertThat(c.connectBlocking(10, TimeUnit.SECONDS)).isTrue();
    JsonObject hai = c.next("HAI");
    String mine = UUID.randomUUID().toString();
    assertThat(hai.getString("session")).isNotEqualTo(mine);
    c.sendFrame(mine, "HAI", null, HaipTestClient.clientHai().put("auth", new JsonObject()));
    c.sendFrame(mine, "TOOL_LIST", null, new JsonObject());
    assertThat(c.next("TOOL_LIST").getJsonObject("payload").getJsonArray("tools").encode()).contains("\"echo\"");
    String ref = UUID.randomUUID().toString();
    c.sendFrame(mine, "TRANSACTION_START", ref, new JsonObject().put("toolName", "echo").put("params", new JsonObject()));
    JsonObject started = c.next("TRANSACTION_START");
    assertThat(started.getJsonObject("payload").getString("referenceId")).isEqualTo(ref);
    String tx = started.getString("transaction");
    assertThat(tx).isNotEqualTo(ref);
    c.sendFrame(mine, "MESSAGE", tx, "hello from java-websocket");
    JsonObject echo = c.next("MESSAGE");
    assertThat(echo.getString("payload")).isEqualTo("hello from java-websocket");
    assertThat(echo.getString("transaction")).isEqualTo(tx);
    // Every server frame carries what the reference SDK requires, non-empty.
    for (String k : List.of("id", "session", "seq", "ts")) {
      assertThat(echo.getString(k)).isNotEmpty();
    }
    c.sendFrame(mine, "PING", null, new JsonObject().put("nonce", "abc"));
    assertThat(c.next("PONG").getJsonObject("payload").getString("nonce")).isEqualTo("abc");
    c.sendFrame(mine, "TRANSACTION_END", tx, new JsonObject());
    c.closeBlocking();
    assertThat(c.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
  }

  @Test
  void webSocketPingsKeepAliveAndSilentSocketsAreClosed() throws Exception {
    // Java-WebSocket answers pings itself: the session outlives several idle timeouts.
    JwsClient alive = new JwsClient(a.httpPort(), "/haip");
    alive.setConnectionLostTimeout(0);
    assertThat(alive.connectBlocking(10, TimeUnit.SECONDS)).isTrue();
    alive.next("HAI");
    long rttBefore = a.context().counters().snapshot().getJsonObject("histograms").getString("heartbeatRttUs").length();
    long deadline = System.currentTimeMillis() + 2_500;
    while (System.currentTimeMillis() < deadline) {
      assertThat(alive.closed.isDone()).isFalse();
      alive.inbox.poll(100, TimeUnit.MILLISECONDS);
    }
    assertThat(alive.isOpen()).isTrue();
    eventually(() -> assertThat(a.context().counters().snapshot().getJsonObject("histograms").getString("heartbeatRttUs").length())
        .isNotEqualTo(rttBefore));
    alive.closeBlocking();
    // A raw socket that never answers pings is closed after the idle timeout.
    try (RawWebSocket silent = new RawWebSocket(a.httpPort(), "/haip", 65536)) {
      int closeCode = -1;
      while (closeCode < 0) {
        RawWebSocket.Frame f = silent.read();
        if (f.opcode() == 8) {
          closeCode = f.closeCode();
        }
      }
      assertThat(closeCode).isEqualTo(1001);
    }
  }

  @Test
  void monitorTopicsEventsStatsAlerts() {
    MessageConsumer<JsonObject> fakeAlerts = a.vertx().eventBus().consumer(Addresses.ALERTS_QUERY,
        m -> m.reply(new JsonObject().put("items", new JsonArray().add(new JsonObject().put("id", "al-1").put("state", "firing")))));
    Await.await(fakeAlerts.completion());
    try (MonitorTestClient m = MonitorTestClient.connect(vertx, b.httpPort())) {
      m.send(new JsonObject().put("type", "subscribe").put("topic", "events"));
      m.next(f -> "subscribed".equals(f.getString("type")) && "events".equals(f.getString("topic")));
      // A session on the other node: its lifecycle and, now that someone listens, its messages arrive as events.
      try (HaipTestClient c = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai())) {
        JsonObject ev = m.next(f -> "event".equals(f.getString("type"))
            && "handshake".equals(f.getJsonObject("data").getString("type"))
            && c.session.equals(f.getJsonObject("data").getString("sessionId")));
        assertThat(ev.getJsonObject("data").getString("nodeId")).isEqualTo(a.nodeId());
        eventually(() -> {
          c.send("PING", null, new JsonObject().put("nonce", 1));
          m.next(f -> "event".equals(f.getString("type")) && "message".equals(f.getJsonObject("data").getString("type"))
              && c.session.equals(f.getJsonObject("data").getString("sessionId")));
        });
      }
      m.send(new JsonObject().put("type", "subscribe").put("topic", "stats"));
      m.next(f -> "subscribed".equals(f.getString("type")) && "stats".equals(f.getString("topic")));
      a.vertx().eventBus().publish(Addresses.STATS_CLUSTER, new JsonObject().put("totalConnections", 42));
      assertThat(m.next(f -> "stats".equals(f.getString("type"))).getJsonObject("data").getInteger("totalConnections")).isEqualTo(42);

      m.send(new JsonObject().put("type", "subscribe").put("topic", "alerts"));
      JsonObject snap = m.next(f -> "snapshot".equals(f.getString("type")));
      assertThat(snap.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo("al-1");
      a.vertx().eventBus().publish(Addresses.ALERTS, new JsonObject().put("id", "al-2").put("state", "resolved"));
      assertThat(m.next(f -> "alert".equals(f.getString("type"))).getJsonObject("data").getString("id")).isEqualTo("al-2");

      m.send(new JsonObject().put("type", "subscribe").put("topic", "health"));
      m.next(f -> "subscribed".equals(f.getString("type")) && "health".equals(f.getString("topic")));
      a.vertx().eventBus().publish(Addresses.HEALTH_CLUSTER, new JsonObject().put("status", "DEGRADED"));
      assertThat(m.next(f -> "health".equals(f.getString("type"))).getJsonObject("data").getString("status")).isEqualTo("DEGRADED");

      m.sendRaw("not json");
      m.next(f -> "error".equals(f.getString("type")));
      m.send(new JsonObject().put("type", "subscribe").put("topic", "nope"));
      m.next(f -> "error".equals(f.getString("type")) && f.getJsonObject("data").getString("message").contains("topic"));
      m.send(new JsonObject().put("type", "unsubscribe").put("topic", "events"));
      m.next(f -> "unsubscribed".equals(f.getString("type")));
    } finally {
      fakeAlerts.unregister();
    }
  }

  @Test
  void executionSubscribedAfterItEndedStillReportsItsFinalState() {
    try (HaipTestClient c = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai());
         MonitorTestClient m = MonitorTestClient.connect(vertx, b.httpPort())) {
      String tx = c.start("echo", null);
      c.send("MESSAGE", tx, "x");
      c.next("MESSAGE");
      c.send("TRANSACTION_END", tx, new JsonObject());
      eventually(() -> assertThat(a.context().counters().snapshot().getJsonObject("executions").getLong("running")).isZero());
      m.send(new JsonObject().put("type", "subscribe").put("executionId", tx));
      JsonObject status = m.next(f -> "status".equals(f.getString("type")) && tx.equals(f.getString("executionId")));
      assertThat(status.getJsonObject("data").getString("status")).isEqualTo("COMPLETED");
      assertThat(status.getJsonObject("data").getLong("endedAt")).isGreaterThanOrEqualTo(status.getJsonObject("data").getLong("createdAt"));
      assertThat(m.next(f -> "metrics".equals(f.getString("type"))).getJsonObject("data").getLong("framesIn")).isEqualTo(1);
    }
  }

  @Test
  void socketsOfOneNodeWatchingOneExecutionGetOneStatusEachAndEveryFrameOnce() {
    try (HaipTestClient c = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai());
         MonitorTestClient m1 = MonitorTestClient.connect(vertx, b.httpPort());
         MonitorTestClient m2 = MonitorTestClient.connect(vertx, b.httpPort());
         MonitorTestClient m3 = MonitorTestClient.connect(vertx, b.httpPort());
         MonitorTestClient late = MonitorTestClient.connect(vertx, b.httpPort())) {
      m1.send(new JsonObject().put("type", "subscribe").put("topic", "stats"));
      m1.next(f -> "subscribed".equals(f.getString("type")) && "stats".equals(f.getString("topic")));
      String tx = c.start("echo", null);
      List<MonitorTestClient> watching = List.of(m1, m2, m3);
      for (MonitorTestClient m : watching) {
        m.send(new JsonObject().put("type", "subscribe").put("executionId", tx));
        m.next(f -> "status".equals(f.getString("type")) && tx.equals(f.getString("executionId")));
      }
      String sent = c.send("MESSAGE", tx, "x").getString("id");
      c.next("MESSAGE");
      c.send("TRANSACTION_END", tx, new JsonObject());
      for (MonitorTestClient m : watching) {
        m.next(f -> "metrics".equals(f.getString("type")) && tx.equals(f.getString("executionId")));
        // RUNNING when it subscribed, COMPLETED at the end: another socket's subscription sends it nothing
        assertThat(m.seen()).filteredOn(f -> "status".equals(f.getString("type")))
            .extracting(f -> f.getJsonObject("data").getString("status")).containsExactly("RUNNING", "COMPLETED");
        assertThat(m.seen()).filteredOn(f -> "log".equals(f.getString("type")))
            .extracting(f -> f.getJsonObject("data").getString("direction") + " " + f.getJsonObject("data").getString("type"))
            .containsExactly("in MESSAGE", "out MESSAGE", "in TRANSACTION_END");
        assertThat(m.seen()).filteredOn(f -> "log".equals(f.getString("type")) && "in".equals(f.getJsonObject("data").getString("direction")))
            .first().satisfies(f -> assertThat(f.getJsonObject("data").getString("frameId")).isEqualTo(sent));
      }

      // a socket subscribing to the ended execution this node still watches gets its final status and metrics, alone
      late.send(new JsonObject().put("type", "subscribe").put("executionId", tx));
      assertThat(late.next(f -> "status".equals(f.getString("type"))).getJsonObject("data").getString("status"))
          .isEqualTo("COMPLETED");
      late.next(f -> "metrics".equals(f.getString("type")));
      // a stats view relayed after the late socket's frames reaches m1 after anything relayed to it with them
      b.vertx().eventBus().publish(Addresses.STATS_CLUSTER, new JsonObject().put("marker", tx));
      m1.next(f -> "stats".equals(f.getString("type")) && tx.equals(f.getJsonObject("data").getString("marker")));
      assertThat(m1.seen()).filteredOn(f -> "metrics".equals(f.getString("type"))).hasSize(1);
      assertThat(m1.seen()).filteredOn(f -> "status".equals(f.getString("type"))).hasSize(2);
    }
  }

  @Test
  void clientDisconnectCancelsTheExecutionAndTellsTheAgent() {
    JsonArray tools = new JsonArray().add(new JsonObject().put("name", "waits").put("description", "d"));
    try (HaipTestClient agent = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.agentHai(tools))) {
      long cancelled = a.context().counters().snapshot().getJsonObject("executions").getLong("cancelled");
      HaipTestClient c = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai());
      eventually(() -> assertThat(c.toolNames()).contains("waits"));
      String tx = c.start("waits", null);
      agent.next("TRANSACTION_START");
      c.close();
      JsonObject end = agent.next("TRANSACTION_END");
      assertThat(end.getString("transaction")).isEqualTo(tx);
      assertThat(end.getJsonObject("payload").getString("status")).isEqualTo("CANCELLED");
      eventually(() -> assertThat(a.context().counters().snapshot().getJsonObject("executions").getLong("cancelled"))
          .isEqualTo(cancelled + 1));
    }
  }

  @Test
  void drainClosesEverySocketWith1001() {
    SwitchboardNode d = cluster.start("d", List.of(new HubService()), Map.of());
    HaipTestClient c = HaipTestClient.open(vertx, d.httpPort(), HaipTestClient.clientHai());
    c.echoRoundTrip("before drain");
    cluster.stop(d);
    assertThat(c.awaitClose()).isEqualTo((short) 1001);
  }
}
