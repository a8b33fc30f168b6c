package io.switchboard.common.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.switchboard.common.Addresses;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bridge.maxSockets bounds the open bridge sockets of a node; a place is given back when a socket ends. */
class BridgeSocketLimitTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void aSocketBeyondTheLimitIsClosedAndCountedAndAPlaceComesBack() throws Exception {
    try (TestNodes.Cluster cluster = new TestNodes.Cluster(2)) {
      int tcpPort = TestNodes.freePort();
      SwitchboardNode node = cluster.start("limit", List.of(), Map.of("cluster.mode", "none", "bridge.tcp.port", tcpPort,
          "bridge.maxSockets", 2));
      long timer = node.vertx().setPeriodic(50, t -> node.vertx().eventBus().publish(Addresses.STATS_CLUSTER,
          new JsonObject().put("nodes", 1)));
      try (BridgeFrames a = registered(tcpPort); BridgeFrames b = registered(tcpPort)) {
        try (BridgeFrames c = new BridgeFrames("127.0.0.1", tcpPort)) {
          assertThat(c.closedWithin(WAIT)).isTrue();
        }
        Counter refused = node.context().metrics().registry().find("switchboard.bridge.errors").tag("bridge", "tcp")
            .tag("reason", "socket_limit").counter();
        assertThat(refused).isNotNull();
        assertThat(refused.count()).isEqualTo(1);
        a.close();
        Await.waitFor(WAIT, () -> node.context().metrics().registry().get("switchboard.bridge.sockets").gauge().value() == 1,
            "the closed socket gave its place back");
        try (BridgeFrames d = registered(tcpPort)) {
          assertThat(d).isNotNull();
        }
      } finally {
        node.vertx().cancelTimer(timer);
      }
    }
  }

  private static BridgeFrames registered(int port) throws Exception {
    BridgeFrames f = new BridgeFrames("127.0.0.1", port);
    f.send(new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER));
    f.next(WAIT, m -> "message".equals(m.getString("type")));
    return f;
  }
}
