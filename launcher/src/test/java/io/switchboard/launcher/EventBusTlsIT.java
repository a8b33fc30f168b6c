package io.switchboard.launcher;

import static io.switchboard.common.testing.Await.await;
import static io.switchboard.common.testing.Await.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.switchboard.common.Addresses;
import io.switchboard.common.cluster.EventBusTls;
import io.switchboard.common.hub.HubAddresses;
import io.switchboard.common.testing.TestCerts;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Event-bus mutual TLS ({@code eventBus.tls.*}; docs/operations.md, "Running it in the open") between two real node
 * processes that serve a transaction across them (client on one, agent on the other). Three JVM instances in the
 * test join the same Hazelcast cluster by name: one without TLS, one with a certificate of another CA, and one with a
 * certificate of the cluster's CA. Each subscribes to the cluster stats the nodes publish, forges a frame into the
 * running transaction (the message the agent's node sends the client's node) and asks a node for its info. Only the
 * one with the cluster's certificate receives, reaches the client and gets an answer; the transaction carries on.
 */
class EventBusTlsIT {
  static final String TOOL = "tls-echo";

  /** A JVM instance that joined the cluster: what it received on the stats address. */
  record Joined(String name, Vertx vertx, AtomicInteger stats) {}

  @Test
  void onlyAHolderOfTheClustersCertificateSendsAndReceives() throws Exception {
    TestCerts ca = TestCerts.newCa("switchboard-cluster-ca");
    TestCerts.Pem certA = ca.issue("node-a");
    TestCerts.Pem certB = ca.issue("node-b");
    TestCerts.Pem certControl = ca.issue("control");
    TestCerts otherCa = TestCerts.newCa("some-other-ca");
    TestCerts.Pem certOther = otherCa.issue("rogue");

    String cluster = "sb-it-" + UUID.randomUUID().toString().substring(0, 8);
    int clusterPort = TestNodes.freePortRange(8);
    List<Joined> joined = new ArrayList<>();
    try (NodeProcess a = start(cluster, clusterPort, "a", "hub,stats", certA, ca);
        NodeProcess b = start(cluster, clusterPort, "b", "hub", certB, ca)) {
      a.awaitReady(Duration.ofSeconds(90));
      b.awaitReady(Duration.ofSeconds(90));
      waitFor(Duration.ofSeconds(60), () -> a.clusterSize() == 2 && b.clusterSize() == 2, "the two nodes did not form a cluster");
      String nodeA = a.json("/health").getString("nodeId");

      try (HaipClient agent = HaipClient.connect(b.httpPort).agent(TOOL);
          HaipClient client = HaipClient.connect(a.httpPort).handshake(null)) {
        waitFor(Duration.ofSeconds(30), () -> HaipClient.toolListed(a.httpPort, TOOL), "the agent's tool never reached node a");
        String tx = client.start(TOOL);
        client.echo(tx, "before");

        List<String> members = List.of("127.0.0.1:" + clusterPort);
        Joined plain = join(cluster, members, "plain", null);
        joined.add(plain);
        Joined rogue = join(cluster, members, "rogue", new EventBusTls(certOther.cert(), certOther.key(), otherCa.caCert));
        joined.add(rogue);
        for (Joined j : List.of(plain, rogue)) {
          forge(j, nodeA, tx);
          assertThat(askInfo(j, nodeA).failed()).as(j.name() + " got an answer from node a").isTrue();
        }

        Joined control = join(cluster, members, "control", new EventBusTls(certControl.cert(), certControl.key(), ca.caCert));
        joined.add(control);
        forge(control, nodeA, tx);
        assertThat(askInfo(control, nodeA).succeeded()).as("the control was not answered").isTrue();
        client.await(f -> "forged by control".equals(f.getValue("payload")), Duration.ofSeconds(15), "the control's forged frame");
        int seen = control.stats().get();
        waitFor(Duration.ofSeconds(30), () -> control.stats().get() >= seen + 3, "the control received no cluster stats");

        assertThat(plain.stats().get()).as("stats received without TLS").isZero();
        assertThat(rogue.stats().get()).as("stats received with another CA's certificate").isZero();
        assertThat(client.received).noneMatch(f -> "forged by plain".equals(f.getValue("payload"))
            || "forged by rogue".equals(f.getValue("payload")));
        client.echo(tx, "after");
        assertThat(a.alive() && b.alive()).isTrue();
      }
    } finally {
      for (Joined j : joined) {
        await(j.vertx().close());
      }
    }
  }

  static NodeProcess start(String cluster, int clusterPort, String name, String services, TestCerts.Pem pem, TestCerts ca)
      throws Exception {
    int port = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env(cluster, clusterPort, name, port);
    env.put("SWITCHBOARD_SERVICES", services);
    env.put("SWITCHBOARD_STATS_INTERVAL", "300ms");
    env.put("SWITCHBOARD_EVENT_BUS_TLS_CERT_PATH", pem.cert().toString());
    env.put("SWITCHBOARD_EVENT_BUS_TLS_KEY_PATH", pem.key().toString());
    env.put("SWITCHBOARD_EVENT_BUS_TLS_TRUST_PATH", ca.caCert.toString());
    return NodeProcess.start(name, port, env);
  }

  /** A clustered Vert.x joined as a Hazelcast lite member, its event bus with {@code tls} (plain when null). */
  static Joined join(String cluster, List<String> members, String name, EventBusTls tls) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(cluster);
    hz.setLiteMember(true);
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.getNetworkConfig().setPublicAddress("127.0.0.1").setPort(TestNodes.freePort());
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    if (tls != null) {
      tls.applyTo(options.getEventBusOptions());
    }
    Vertx v = await(Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered());
    AtomicInteger stats = new AtomicInteger();
    await(v.eventBus().consumer(Addresses.STATS_CLUSTER, m -> stats.incrementAndGet()).completion());
    return new Joined(name, v, stats);
  }

  /** What the agent's node sends the client's node with a frame for the client, from this instance instead. */
  static void forge(Joined j, String clientNode, String tx) {
    JsonObject frame = new JsonObject().put("id", UUID.randomUUID().toString()).put("transaction", tx).put("seq", "1")
        .put("ts", String.valueOf(System.currentTimeMillis())).put("channel", "AGENT").put("type", "MESSAGE")
        .put("payload", "forged by " + j.name());
    j.vertx().eventBus().send(Addresses.nodeTx(clientNode), frame, new DeliveryOptions()
        .addHeader(HubAddresses.TX_HEADER, tx).addHeader(HubAddresses.OP_HEADER, "c.frame"));
  }

  /** Asks node {@code nodeId} for its info (3 s), and waits for the outcome. */
  static Future<Object> askInfo(Joined j, String nodeId) {
    Future<Object> f = j.vertx().eventBus().request(Addresses.nodeInfo(nodeId), new JsonObject(),
        new DeliveryOptions().setSendTimeout(3000)).map(m -> m.body());
    try {
      await(f, Duration.ofSeconds(15));
    } catch (IllegalStateException expected) {
      // the failure is the outcome looked at
    }
    return f;
  }
}
