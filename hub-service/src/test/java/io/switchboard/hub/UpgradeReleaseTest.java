package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.HaipTestClient;
import io.switchboard.hub.testing.MonitorTestClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An open HAIP or monitor socket no longer holds its upgrade: once upgraded, the upgrade request and the HTTP
 * connection it came on (with that connection's outbound queue) can be collected, and the headers the socket keeps are
 * emptied, while the socket stays open and keeps working (docs/architecture.md, "Idle session footprint"). Real sockets to an unclustered node; a route in
 * front of {@code /haip} and {@code /ws} keeps weak references to each upgrade's request and connection.
 */
class UpgradeReleaseTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode node;
  static Vertx vertx;
  static final List<WeakReference<Object>> requests = new CopyOnWriteArrayList<>();
  static final List<WeakReference<Object>> connections = new CopyOnWriteArrayList<>();
  static final List<MultiMap> headers = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    node = cluster.start("release", List.of(new HubService()), Map.of("cluster.mode", "none"));
    for (String path : List.of("/haip", "/ws")) {
      node.context().router().route(path).order(-1).handler(rc -> {
        requests.add(new WeakReference<>(rc.request()));
        connections.add(new WeakReference<>(rc.request().connection()));
        headers.add(rc.request().headers());
        rc.next();
      });
    }
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  @Test
  void openSocketsLetGoOfTheirUpgrade() {
    List<HaipTestClient> sessions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HaipTestClient c = HaipTestClient.open(vertx, node.httpPort(), HaipTestClient.clientHai());
      c.echoRoundTrip("open " + i);
      sessions.add(c);
    }
    try (MonitorTestClient monitor = MonitorTestClient.connect(vertx, node.httpPort())) {
      assertThat(requests).hasSize(4);
      eventually(() -> {
        System.gc();
        assertThat(requests).as("upgrade requests still reachable").allSatisfy(r -> assertThat(r.get()).isNull());
        assertThat(connections).as("HTTP connections still reachable").allSatisfy(r -> assertThat(r.get()).isNull());
      });
      assertThat(headers).as("upgrade headers kept by the open sockets").allSatisfy(h -> assertThat(h).isEmpty());
      for (HaipTestClient c : sessions) {
        c.echoRoundTrip("after the release");
        assertThat(c.isClosed()).isFalse();
      }
      assertThat(monitor.isClosed()).isFalse();
    } finally {
      sessions.forEach(HaipTestClient::close);
    }
  }
}
