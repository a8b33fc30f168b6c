package io.switchboard.examples;

import static io.switchboard.common.testing.Await.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import io.switchboard.alert.AlertService;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.HubService;
import io.switchboard.launcher.HaipClient;
import io.switchboard.stats.StatsService;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The JVM client example of docs/jvm-clients.md, run as written: it joins a real cluster (hub, stats and alert on
 * loopback Hazelcast) as a lite member that owns no partition, and receives the alert that a real HAIP session on a
 * node makes fire. The docs show this file's code, and a test keeps them the same.
 */
class AlertListenerTest {
  static final Path SOURCE = Path.of("src/test/java/io/switchboard/examples/AlertListener.java");
  static final Path DOC = Path.of("../docs/jvm-clients.md");

  @Test
  void theDocsShowTheCodeThatIsTested() throws Exception {
    String code = Files.readString(SOURCE);
    String body = code.substring(code.indexOf("import "));
    assertThat(Files.readString(DOC)).contains(body.strip());
  }

  @Test
  void aLiteMemberReceivesAnAlertCausedByHaipTraffic() throws Exception {
    JsonArray rules = new JsonArray().add(new JsonObject().put("name", "SomeClientConnected")
        .put("expr", "clientsConnected").put("op", ">").put("threshold", 0).put("severity", "info"));
    try (TestNodes.Cluster cluster = new TestNodes.Cluster()) {
      SwitchboardNode node = cluster.start("a", List.of(new HubService(), new StatsService(), new AlertService()),
          Map.of("stats.interval", "200ms", "alert.evaluationInterval", "200ms", "alert.rules", rules.encode()));
      List<JsonObject> alerts = new CopyOnWriteArrayList<>();
      Vertx listener = Await.await(AlertListener.listen(cluster.name, List.of("127.0.0.1:" + cluster.basePort),
          "127.0.0.1", alerts::add));
      HaipClient session = null;
      try {
        HazelcastInstance hz = ((HazelcastClusterManager) ((VertxInternal) listener).clusterManager()).getHazelcastInstance();
        assertThat(hz.getCluster().getLocalMember().isLiteMember()).isTrue();
        assertThat(hz.getCluster().getMembers()).hasSize(2);
        waitFor(Duration.ofSeconds(30), () -> hz.getPartitionService().getPartitions().stream()
            .allMatch(p -> p.getOwner() != null), "partitions assigned");
        for (Partition p : hz.getPartitionService().getPartitions()) {
          assertThat(p.getOwner().localMember()).as("partition %d", p.getPartitionId()).isFalse();
        }
        assertThat(alerts).isEmpty();
        // a client is not a node: the cluster's health lists the node alone, and it is UP
        JsonObject health = new JsonObject(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpPort() + "/health/cluster")).build(), BodyHandlers.ofString()).body());
        assertThat(health.getString("status")).as(health.encode()).isEqualTo("UP");
        assertThat(health.getInteger("members")).isEqualTo(1);

        session = HaipClient.connect(node.httpPort()).handshake(null);
        waitFor(Duration.ofSeconds(30), () -> alerts.stream()
            .anyMatch(a -> "SomeClientConnected".equals(a.getString("rule")) && "firing".equals(a.getString("state"))),
            () -> "a firing alert at the lite member; received " + alerts);
      } finally {
        if (session != null) {
          session.close();
        }
        Await.await(listener.close());
      }
      waitFor(Duration.ofSeconds(30), () -> node.context().clusterManager().getHazelcastInstance().getCluster()
          .getMembers().size() == 1, "the lite member gone from the node's view once it closed");
    }
  }
}
