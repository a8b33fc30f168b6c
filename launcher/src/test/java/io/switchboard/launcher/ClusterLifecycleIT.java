package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real jar as separate processes on 127.0.0.1: one node answers its probes; a second joins the same cluster
 * with no setting but its own ports; an event-bus request from A reaches a consumer that exists only on B;
 * SIGTERM drains B gracefully while A stays ready; a SIGKILLed member leaves A's view within 10 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLifecycleIT {
  static final String CLUSTER = "sb-it-" + UUID.randomUUID().toString().substring(0, 8);
  static int clusterPort;
  static NodeProcess a;
  static NodeProcess b;
  static NodeProcess c;
  /** A stall detector: on a busy 2-core machine a node's start alone has taken over a minute (as in BridgeIT). */
  static final Duration START = Duration.ofSeconds(180);

  @BeforeAll
  static void startTwoNodes() throws Exception {
    clusterPort = TestNodes.freePortRange(8);
    int pa = TestNodes.freePort();
    int pb = TestNodes.freePort();
    a = NodeProcess.start("a", pa, NodeProcess.env(CLUSTER, clusterPort, "a", pa));
    Map<String, String> envB = NodeProcess.env(CLUSTER, clusterPort, "b", pb);
    envB.put("SWITCHBOARD_SHUTDOWN_DRAIN_DELAY", "2s");
    envB.put("SWITCHBOARD_SERVICES", "hub");
    b = NodeProcess.start("b", pb, envB);
    System.out.printf("ready: a after %d ms, b after %d ms%n", a.awaitReady(START), b.awaitReady(START));
  }

  @AfterAll
  static void stopAll() {
    for (NodeProcess n : new NodeProcess[] {a, b, c}) {
      if (n != null) {
        n.close();
      }
    }
  }

  @Test
  @Order(1)
  void theJarAnswersHealthAndReadiness() {
    JsonObject health = a.json("/health");
    assertThat(health.getString("status")).isEqualTo("ok");
    assertThat(health.getLong("uptime")).isPositive();
    assertThat(health.getString("nodeId")).isNotBlank();
    assertThat(health.getLong("activeConnections")).isZero();
    NodeProcess.Response ready = a.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    JsonObject body = new JsonObject(ready.body());
    assertThat(body.getJsonArray("checks")).isNotEmpty();
    assertThat(a.get("/health/live").status()).isEqualTo(200);
    assertThat(a.get("/health/startup").status()).isEqualTo(200);
    assertThat(new JsonObject(a.get("/ready").body()).getBoolean("ready")).isTrue();
    assertThat(new JsonObject(a.get("/api/health").body()).getString("status")).isEqualTo("healthy");
  }

  @Test
  @Order(2)
  void twoProcessesFormOneClusterAndTheEventBusCrossesIt() {
    Await.waitFor(Duration.ofSeconds(20), () -> a.clusterSize() == 2 && b.clusterSize() == 2,
        "a and b never saw each other: a=" + a.clusterSize() + " b=" + b.clusterSize());
    String bId = b.json("/health").getString("nodeId");
    // The consumer at switchboard.node.<b>.info exists only on B; A asks it over the event bus.
    JsonObject answer = a.json("/cluster/nodes/" + bId);
    assertThat(answer.getString("name")).isEqualTo("b");
    assertThat(answer.getString("nodeId")).isEqualTo(bId);
    assertThat(answer.getJsonArray("roles").getList()).containsExactly("hub");
    assertThat(a.get("/cluster/nodes/" + UUID.randomUUID()).status()).isEqualTo(404);
  }

  @Test
  @Order(3)
  void sigtermDrainsBWhileAStaysReady() throws Exception {
    AtomicBoolean aAlwaysReady = new AtomicBoolean(true);
    AtomicReference<String> firstFailure = new AtomicReference<>();
    AtomicInteger probes = new AtomicInteger();
    Thread watcher = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        NodeProcess.Response r = a.get("/health/ready");
        if (r.status() != 200 && !Thread.currentThread().isInterrupted()) {
          aAlwaysReady.set(false);
          firstFailure.compareAndSet(null, r.status() + " " + r.body());
        }
        probes.incrementAndGet();
      }
    });
    watcher.start();
    HaipClient session = HaipClient.connect(b.httpPort).handshake(null);
    long t0 = System.nanoTime();
    b.terminate();
    // readiness answers 503 at once, while the drain delay (2 s) keeps the process up
    Await.waitFor(Duration.ofSeconds(2), () -> b.get("/health/ready").status() == 503,
        "b's readiness did not turn 503 after SIGTERM");
    // after the drain delay the open WebSocket is closed with 1001 (going away)
    assertThat(session.awaitClose(Duration.ofSeconds(8))).isEqualTo(1001);
    int code = b.awaitExit(Duration.ofSeconds(10));
    long exitMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(code).as("exit code of a graceful stop on SIGTERM\n%s", b.tail()).isZero();
    Await.waitFor(Duration.ofSeconds(10), () -> a.clusterSize() == 1, "a still counts b: " + a.clusterSize());
    watcher.interrupt();
    watcher.join(5000);
    assertThat(probes.get()).isPositive();
    assertThat(aAlwaysReady).as("a stayed ready while b left; first failure: %s", firstFailure.get()).isTrue();
    System.out.printf("b exited %d ms after SIGTERM (code %d)%n", exitMs, code);
    assertThat(b.output()).contains("shutting down");
  }

  @Test
  @Order(4)
  void aSigkilledMemberLeavesWithinTenSeconds() throws Exception {
    int pc = TestNodes.freePort();
    c = NodeProcess.start("c", pc, NodeProcess.env(CLUSTER, clusterPort, "c", pc));
    c.awaitReady(START);
    Await.waitFor(Duration.ofSeconds(20), () -> a.clusterSize() == 2, "c never joined a");
    long t0 = System.nanoTime();
    c.kill();
    Await.waitFor(Duration.ofSeconds(10), () -> a.clusterSize() == 1, "a still counts the killed c after 10 s");
    System.out.printf("killed member left a's view after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(a.get("/health/ready").status()).isEqualTo(200);
  }
}
