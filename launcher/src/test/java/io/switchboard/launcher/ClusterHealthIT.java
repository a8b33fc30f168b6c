package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code GET /health/cluster} with three real node processes on 127.0.0.1 (docs/operations.md, "Cluster health"):
 * every member listed with its probes and roles from any node; a paused member is UNREACHABLE and the cluster
 * DEGRADED; SIGKILLed, it leaves the view; with the last stats node killed the cluster is DOWN (503). The steps run
 * in order on the same processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterHealthIT {
  static final String CLUSTER = "sb-health-" + UUID.randomUUID().toString().substring(0, 8);
  static final Duration TEN_S = Duration.ofSeconds(10);
  static final List<NodeProcess> nodes = new ArrayList<>();
  static NodeProcess n1;
  static NodeProcess n2;
  static NodeProcess n3;

  @BeforeAll
  static void start() throws Exception {
    int clusterPort = TestNodes.freePortRange(4);
    n1 = NodeProcess.startMember(CLUSTER, clusterPort, 4, "n1", "hub,alert");
    nodes.add(n1);
    n1.awaitReady(Duration.ofSeconds(90));
    n2 = NodeProcess.startMember(CLUSTER, clusterPort, 4, "n2", "hub,stats");
    nodes.add(n2);
    n3 = NodeProcess.startMember(CLUSTER, clusterPort, 4, "n3", "hub,stats,alert");
    nodes.add(n3);
    for (NodeProcess n : nodes) {
      n.awaitReady(Duration.ofSeconds(90));
    }
    Await.waitFor(Duration.ofSeconds(30), () -> nodes.stream().allMatch(n -> n.clusterSize() == 3),
        "the cluster of 3 never formed");
  }

  @AfterAll
  static void stop() {
    nodes.forEach(NodeProcess::close);
  }

  /** One answer of {@code /health/cluster}: its HTTP status and body, or null when the node did not answer. */
  record View(int http, JsonObject body) {
    String status() {
      return body.getString("status");
    }

    Optional<JsonObject> member(String name) {
      return body.getJsonArray("nodes").stream().map(JsonObject.class::cast)
          .filter(m -> name.equals(m.getString("name"))).findFirst();
    }

    List<String> names() {
      return body.getJsonArray("nodes").stream().map(o -> ((JsonObject) o).getString("name")).toList();
    }
  }

  static View view(NodeProcess from) {
    NodeProcess.Response r = from.get("/health/cluster");
    if (r.status() != 200 && r.status() != 503) {
      return null;
    }
    return new View(r.status(), new JsonObject(r.body()));
  }

  static List<String> checkIds(JsonObject member, String probe) {
    JsonArray checks = member.getJsonObject("probes").getJsonObject(probe).getJsonArray("checks");
    return checks.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  @Order(1)
  void everyNodeListsAllThreeMembersWithTheirChecksAndRoles() {
    for (NodeProcess from : nodes) {
      AtomicReference<View> last = new AtomicReference<>();
      // UP once every member's checks pass (clusterSafe is DOWN, so the member degraded, while partitions migrate)
      Await.waitFor(Duration.ofSeconds(30), () -> {
        View v = view(from);
        last.set(v);
        return v != null && v.http() == 200 && "UP".equals(v.status());
      }, () -> "from " + from.name + ": " + (last.get() == null ? "no answer" : last.get().body().encodePrettily()));
      View v = last.get();
      assertThat(v.names()).containsExactly("n1", "n2", "n3");
      assertThat(v.body().getInteger("membersReady")).isEqualTo(3);
      assertThat(v.body().getJsonObject("roles").getMap()).containsEntry("hub", 3).containsEntry("stats", 2)
          .containsEntry("alert", 2);
      for (NodeProcess n : nodes) {
        JsonObject m = v.member(n.name).orElseThrow();
        assertThat(m.getString("status")).isEqualTo("UP");
        assertThat(m.getString("memberId")).isNotBlank();
        assertThat(m.getString("nodeId")).isEqualTo(n.json("/health").getString("nodeId"));
        assertThat(m.getLong("tookMs")).isNotNegative();
        assertThat(checkIds(m, "live")).contains("eventBus");
        assertThat(checkIds(m, "ready")).contains("http", "eventBus", "heap", "shutdown", "started", "clusterSafe",
            "statsFresh");
        assertThat(checkIds(m, "startup")).contains("started");
      }
      assertThat(v.member("n2").orElseThrow().getJsonArray("roles")).containsExactly("hub", "stats");
    }
    // the stats publisher publishes the same view on switchboard.health.cluster; the stats replicas count it
    Await.waitFor(TEN_S, () -> n1.json("/stats").getJsonObject("health").getInteger("members") == 3,
        () -> "ClusterStats.health: " + n1.json("/stats").getJsonObject("health"));
    assertThat(n1.json("/stats?scope=health").getBoolean("fresh")).isTrue();
  }

  @Test
  @Order(2)
  void unknownParametersAndScopesAreRefusedNamingTheField() {
    NodeProcess.Response r = n1.get("/health/cluster?verbose=1");
    assertThat(r.status()).isEqualTo(400);
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("INVALID_QUERY");
    assertThat(error.getString("field")).isEqualTo("verbose");
    r = n1.get("/stats?scope=members");
    assertThat(r.status()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("field")).isEqualTo("scope");
  }

  @Test
  @Order(3)
  void aPausedMemberIsUnreachableAndTheClusterDegradedThenKilledItLeavesTheView() throws Exception {
    signal(n3, "STOP");
    AtomicReference<View> last = new AtomicReference<>();
    try {
      // listed until Hazelcast drops it (cluster.memberTimeout, 5 s), and asked in vain meanwhile
      Await.waitFor(TEN_S, () -> {
        View v = view(n1);
        last.set(v);
        return v != null && v.member("n3").map(m -> "UNREACHABLE".equals(m.getString("status"))).orElse(false);
      }, () -> "n3 never UNREACHABLE: " + (last.get() == null ? "no answer" : last.get().body().encodePrettily()));
      View v = last.get();
      JsonObject m = v.member("n3").orElseThrow();
      assertThat(v.http()).isEqualTo(200);
      assertThat(v.status()).isEqualTo("DEGRADED");
      assertThat(m.getString("error")).isNotBlank();
      assertThat(m.getBoolean("ready")).isFalse();
      assertThat(m.getJsonArray("roles")).containsExactly("hub", "stats", "alert");
    } finally {
      n3.kill();
    }
    long t0 = System.nanoTime();
    List<String> seen = new ArrayList<>();
    Await.waitFor(TEN_S, () -> {
      View v = view(n1);
      if (v == null) {
        return false;
      }
      Optional<JsonObject> m = v.member("n3");
      seen.add(v.status() + m.map(j -> "/n3 " + j.getString("status")).orElse("/n3 gone"));
      // while the killed member is listed it has no answer and the others carry every role: DEGRADED
      m.ifPresent(j -> {
        assertThat(j.getString("status")).isEqualTo("UNREACHABLE");
        assertThat(v.status()).isEqualTo("DEGRADED");
      });
      return m.isEmpty() && v.http() == 200;
    }, () -> "the killed n3 still listed after 10 s: " + seen);
    System.out.printf("killed n3 left the view after %d ms; views seen: %s%n", (System.nanoTime() - t0) / 1_000_000, seen);
  }

  @Test
  @Order(4)
  void withTheLastStatsNodeKilledTheClusterIsDown() {
    n2.kill();
    AtomicReference<View> last = new AtomicReference<>();
    Await.waitFor(TEN_S, () -> {
      View v = view(n1);
      last.set(v);
      return v != null && v.http() == 503;
    }, () -> "never 503: " + (last.get() == null ? "no answer" : last.get().body().encodePrettily()));
    View v = last.get();
    assertThat(v.status()).isEqualTo("DOWN");
    assertThat(v.body().getJsonArray("rolesWithoutReadyMember")).containsExactly("stats");
    assertThat(v.member("n1").orElseThrow().getBoolean("ready")).isTrue();
  }

  static void signal(NodeProcess n, String sig) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + sig, String.valueOf(n.pid())).start().waitFor()).isZero();
  }
}
