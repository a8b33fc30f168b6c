package io.switchboard.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.Addresses;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The join modes that can run on one machine: tcp with a member list, and none. */
class ClusterModesTest {

  @Test
  void tcpModeJoinsTheListedMembers() {
    try (TestNodes.Cluster c = new TestNodes.Cluster(4)) {
      Map<String, Object> tcp = Map.of("cluster.mode", "tcp", "cluster.host", "127.0.0.1",
          "cluster.members", "127.0.0.1:" + c.basePort + ",127.0.0.1:" + (c.basePort + 1));
      SwitchboardNode a = c.start("tcp-a", List.of(), tcp);
      SwitchboardNode b = c.start("tcp-b", List.of(), tcp);
      assertThat(ClusterInfo.clusterSize(a.context())).isEqualTo(2);
      assertThat(ClusterInfo.clusterSize(b.context())).isEqualTo(2);
      // a clustered request from a reaches the consumer that only b has
      JsonObject reply = Await.await(a.vertx().eventBus()
          .<JsonObject>request(Addresses.nodeInfo(b.nodeId()), new JsonObject())).body();
      assertThat(reply.getString("name")).isEqualTo("tcp-b");
      // memberId means one thing in /cluster: the member UUID, at the top for this node and in members[]
      JsonArray members = reply.getJsonArray("members");
      assertThat(members).hasSize(2);
      JsonObject local = members.stream().map(m -> (JsonObject) m).filter(m -> m.getBoolean("local")).findFirst().orElseThrow();
      assertThat(reply.getString("memberId")).isEqualTo(local.getString("memberId")).isEqualTo(b.context().memberId());
      assertThat(reply.getString("clusterNodeId")).isEqualTo(b.context().clusterManager().getNodeId());
    }
  }

  @Test
  void noneModeRunsAloneAndStillServesProbes() throws Exception {
    try (TestNodes.Cluster c = new TestNodes.Cluster(2)) {
      SwitchboardNode n = c.start("solo", List.of(), Map.of("cluster.mode", "none"));
      assertThat(n.context().clustered()).isFalse();
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + "/cluster")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(new JsonObject(r.body()).getInteger("clusterSize")).isEqualTo(1);
      HttpResponse<String> ready = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      // no stats service: ready but degraded
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("degraded");
    }
  }
}
