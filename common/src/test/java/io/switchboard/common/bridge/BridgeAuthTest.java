package io.switchboard.common.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.switchboard.common.Addresses;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridges on a node with credentials (docs/operations.md, Authentication): a write (a send to an inbound address
 * other than the read queries) needs an admin credential; hub events reach a SockJS socket in the view its identity
 * allows (admin: whole; monitor: without remote addresses; anonymous: none); on TCP a hub-event registration needs an
 * admin credential in the frame's headers. Refusals are counted as unauthorized and the socket stays usable.
 */
class BridgeAuthTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String WRITE = "app.commands";
  private static TestNodes.Cluster cluster;
  private static SwitchboardNode node;
  private static int tcpPort;
  private static long publisher;
  private static final LinkedBlockingQueue<JsonObject> commands = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster(2);
    tcpPort = TestNodes.freePort();
    node = cluster.start("bridge-auth", List.of(), Map.of("cluster.mode", "none", "bridge.tcp.port", tcpPort,
        "auth.adminTokens", "bridge-admin", "hub.auth.tokens", "monitor-token",
        "bridge.inbound", Addresses.STATS_QUERY + "," + Addresses.ALERTS_QUERY + "," + WRITE));
    MessageConsumer<JsonObject> c = node.vertx().eventBus().consumer(WRITE, m -> commands.add(m.body()));
    Await.await(c.completion());
    // the test plays the hub: a connect event with a remote address, again and again
    publisher = node.vertx().setPeriodic(50, t -> node.vertx().eventBus().publish(Addresses.HUB_EVENTS,
        new JsonObject().put("type", "connect").put("nodeId", "n1").put("sessionId", "s1")
            .put("timestamp", System.currentTimeMillis()).put("remote", "10.9.8.7:4242")));
  }

  @AfterAll
  static void stop() {
    node.vertx().cancelTimer(publisher);
    cluster.close();
  }

  private static double unauthorized(String bridge) {
    Counter c = node.context().metrics().registry().find("switchboard.bridge.errors").tag("bridge", bridge)
        .tag("reason", "unauthorized").counter();
    return c == null ? 0 : c.count();
  }

  private static SockJsTestClient sockJs(String token) throws Exception {
    return new SockJsTestClient(URI.create("ws://127.0.0.1:" + node.httpPort() + "/eventbus/websocket"
        + (token == null ? "" : "?access_token=" + token)), true);
  }

  private static JsonObject poll(LinkedBlockingQueue<JsonObject> q, Predicate<JsonObject> match, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() - deadline < 0) {
      JsonObject f = q.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      if (f != null && match.test(f)) {
        return f;
      }
    }
    return null;
  }

  private static JsonObject write(String marker) {
    return new JsonObject().put("type", "send").put("address", WRITE).put("body", new JsonObject().put("m", marker));
  }

  @Test
  void sockJsWritesNeedAnAdminCredential() throws Exception {
    double before = unauthorized("sockjs");
    try (SockJsTestClient anon = sockJs(null); SockJsTestClient monitor = sockJs("monitor-token");
         SockJsTestClient admin = sockJs("bridge-admin")) {
      anon.send(write("anon"));
      assertThat(poll(anon.frames, f -> "err".equals(f.getString("type")), WAIT)).isNotNull();
      monitor.send(write("monitor"));
      assertThat(poll(monitor.frames, f -> "err".equals(f.getString("type")), WAIT)).isNotNull();
      admin.send(write("admin"));
      assertThat(poll(commands, b -> "admin".equals(b.getString("m")), WAIT)).isNotNull();
      assertThat(unauthorized("sockjs")).isEqualTo(before + 2);
      assertThat(commands).noneMatch(b -> "anon".equals(b.getString("m")) || "monitor".equals(b.getString("m")));
    }
  }

  @Test
  void sockJsHubEventsAreShownAsTheSocketsIdentityAllows() throws Exception {
    try (SockJsTestClient anon = sockJs(null); SockJsTestClient monitor = sockJs("monitor-token");
         SockJsTestClient admin = sockJs("bridge-admin")) {
      for (SockJsTestClient c : List.of(anon, monitor, admin)) {
        c.send(new JsonObject().put("type", "register").put("address", Addresses.HUB_EVENTS));
      }
      Predicate<JsonObject> event = f -> Addresses.HUB_EVENTS.equals(f.getString("address"));
      JsonObject whole = poll(admin.frames, event, WAIT);
      assertThat(whole.getJsonObject("body").getString("remote")).isEqualTo("10.9.8.7:4242");
      JsonObject redacted = poll(monitor.frames, event, WAIT);
      assertThat(redacted.getJsonObject("body").containsKey("remote")).isFalse();
      assertThat(redacted.getJsonObject("body").getString("sessionId")).isEqualTo("s1");
      // by now several events went out to every registered socket: the anonymous one got none
      poll(admin.frames, event, WAIT);
      poll(admin.frames, event, WAIT);
      assertThat(poll(anon.frames, event, Duration.ofMillis(300))).isNull();
      assertThat(anon.closed).isNotDone();
    }
  }

  @Test
  void sockJsRefusesAPresentedCredentialItDoesNotKnow() throws Exception {
    double before = unauthorized("sockjs");
    try (SockJsTestClient bad = sockJs("no-such-token")) {
      Await.waitFor(WAIT, () -> bad.closed.isDone() || unauthorized("sockjs") > before, "the socket is refused");
    }
    assertThat(unauthorized("sockjs")).isEqualTo(before + 1);
  }

  @Test
  void tcpWritesAndHubEventsNeedAnAdminCredentialInTheFrameHeaders() throws Exception {
    double before = unauthorized("tcp");
    try (BridgeFrames c = new BridgeFrames("127.0.0.1", tcpPort)) {
      c.send(new JsonObject().put("type", "register").put("address", Addresses.HUB_EVENTS));
      c.next(WAIT, f -> BridgeFrames.err(f) != null);
      c.send(write("tcp-anon"));
      c.next(WAIT, f -> BridgeFrames.err(f) != null);
      JsonObject admin = new JsonObject().put("authorization", "Bearer bridge-admin");
      c.send(write("tcp-admin").put("headers", admin));
      assertThat(poll(commands, b -> "tcp-admin".equals(b.getString("m")), WAIT)).isNotNull();
      c.send(new JsonObject().put("type", "register").put("address", Addresses.HUB_EVENTS).put("headers", admin));
      JsonObject m = c.next(WAIT, f -> "message".equals(f.getString("type")));
      assertThat(m.getJsonObject("body").getString("remote")).isEqualTo("10.9.8.7:4242");
    }
    assertThat(unauthorized("tcp")).isEqualTo(before + 2);
    assertThat(commands).noneMatch(b -> "tcp-anon".equals(b.getString("m")));
  }
}
