package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.HubEvent;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.HaipTestClient;
import io.switchboard.hub.testing.MonitorTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HAIP flows over real sockets on a real two-node cluster (nodes a and b). */
class HaipClusterTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode a;
  static SwitchboardNode b;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    a = cluster.start("a", List.of(new HubService()));
    b = cluster.start("b", List.of(new HubService()));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  static JsonArray tool(String name) {
    return new JsonArray().add(new JsonObject().put("name", name).put("description", "test tool " + name)
        .put("inputSchema", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("n", new JsonObject().put("type", "integer")))));
  }

  @Test
  void fullEchoFlow() {
    try (HaipTestClient c = HaipTestClient.connect(vertx, a.httpPort(), "/haip")) {
      JsonObject hai = c.serverHai;
      assertThat(hai.getString("channel")).isEqualTo("SYSTEM");
      assertThat(hai.getString("transaction")).isEqualTo("null");
      assertThat(hai.getString("seq")).isEqualTo("1");
      assertThat(hai.getJsonObject("payload").getString("haip_version")).isEqualTo("1.1.2");
      assertThat(hai.getJsonObject("payload").getJsonArray("accept_events")).contains("TRANSACTION_START", "TOOL_SCHEMA");
      assertThat(c.session).isNotBlank();
      c.send("HAI", null, HaipTestClient.clientHai());

      c.send("PING", null, new JsonObject().put("nonce", "n-1"));
      JsonObject pong = c.next("PONG");
      assertThat(pong.getJsonObject("payload").getString("nonce")).isEqualTo("n-1");
      assertThat(pong.getString("session")).isEqualTo(c.session);

      assertThat(c.toolNames()).contains("echo");
      c.send("TOOL_SCHEMA", null, new JsonObject().put("name", "echo"));
      JsonObject schema = c.next("TOOL_SCHEMA").getJsonObject("payload").getJsonObject("schema");
      assertThat(schema.getString("name")).isEqualTo("echo");
      assertThat(schema.getJsonObject("inputSchema").getString("type")).isEqualTo("string");

      String tx = c.start("echo", null);
      assertThat(tx).isNotBlank();
      long lastSeq = 0;
      for (int i = 0; i < 5; i++) {
        c.send("MESSAGE", tx, "hello " + i);
        JsonObject back = c.next(f -> "MESSAGE".equals(f.getString("type")));
        assertThat(back.getValue("payload")).isEqualTo("hello " + i);
        assertThat(back.getString("transaction")).isEqualTo(tx);
        long seq = Long.parseLong(back.getString("seq"));
        assertThat(seq).isGreaterThan(lastSeq);
        lastSeq = seq;
      }
      // REPLAY_REQUEST resends the transaction's frames in the range, same seq.
      c.send("REPLAY_REQUEST", tx, new JsonObject().put("from_seq", String.valueOf(lastSeq - 1)));
      JsonObject r1 = c.next(f -> "MESSAGE".equals(f.getString("type")));
      JsonObject r2 = c.next(f -> "MESSAGE".equals(f.getString("type")));
      assertThat(r1.getString("seq")).isEqualTo(String.valueOf(lastSeq - 1));
      assertThat(r2.getString("seq")).isEqualTo(String.valueOf(lastSeq));
      assertThat(r2.getValue("payload")).isEqualTo("hello 4");
      // TOOL_LIST inside a transaction.
      c.send("TOOL_LIST", tx, new JsonObject());
      assertThat(c.next("TOOL_LIST").getString("transaction")).isEqualTo(tx);
      c.send("TRANSACTION_END", tx, new JsonObject());
      c.send("MESSAGE", tx, "after end");
      JsonObject err = c.error(ErrorCodes.TRANSACTION_NOT_FOUND);
      assertThat(err.getJsonObject("payload").getString("related_id")).isNotBlank();
    }
    eventually(() -> assertThat(a.context().counters().snapshot().getJsonObject("executions").getLong("completed")).isGreaterThanOrEqualTo(1));
    // every frame is counted as a MESSAGE and a MESSAGE_PROCESSED event, whether or not anyone listens to events
    for (String type : List.of(HubEvent.MESSAGE, HubEvent.MESSAGE_PROCESSED)) {
      assertThat(a.context().metrics().registry().get("switchboard.hub.events").tag("type", type).functionCounter()
          .count()).as(type).isGreaterThanOrEqualTo(12);
    }
  }

  @Test
  void agentOnBServesClientOnA() {
    try (HaipTestClient agent = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.agentHai(tool("upper")));
         HaipTestClient client = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai());
         MonitorTestClient monitor = MonitorTestClient.connect(vertx, b.httpPort())) {
      eventually(() -> assertThat(client.toolNames()).contains("upper"));
      client.send("TOOL_SCHEMA", null, new JsonObject().put("name", "upper"));
      assertThat(client.next("TOOL_SCHEMA").getJsonObject("payload").getJsonObject("schema").getString("description"))
          .isEqualTo("test tool upper");

      String tx = client.start("upper", new JsonObject().put("n", 3));
      JsonObject start = agent.next("TRANSACTION_START");
      assertThat(start.getString("transaction")).isEqualTo(tx);
      assertThat(start.getJsonObject("payload").getString("toolName")).isEqualTo("upper");
      assertThat(start.getJsonObject("payload").getJsonObject("params").getInteger("n")).isEqualTo(3);
      assertThat(start.getJsonObject("payload").getJsonObject("client").getString("session")).isEqualTo(client.session);
      assertThat(start.getJsonObject("payload").getJsonObject("client").getString("node")).isEqualTo(a.nodeId());

      // A monitor on node B watches the execution that node A owns.
      monitor.send(new JsonObject().put("type", "subscribe").put("executionId", tx));
      monitor.next(f -> "subscribed".equals(f.getString("type")));
      monitor.next(f -> "status".equals(f.getString("type")) && "RUNNING".equals(f.getJsonObject("data").getString("status")));

      JsonObject sent = client.send("MESSAGE", tx, new JsonObject().put("text", "hi"));
      JsonObject atAgent = agent.next("MESSAGE");
      assertThat(atAgent.getString("id")).isEqualTo(sent.getString("id"));
      assertThat(atAgent.getString("session")).isEqualTo(agent.session);
      assertThat(atAgent.getJsonObject("payload").getString("text")).isEqualTo("hi");

      agent.send("MESSAGE", tx, new JsonObject().put("text", "HI"));
      JsonObject atClient = client.next("MESSAGE");
      assertThat(atClient.getString("session")).isEqualTo(client.session);
      assertThat(atClient.getString("transaction")).isEqualTo(tx);
      assertThat(atClient.getJsonObject("payload").getString("text")).isEqualTo("HI");
      monitor.next(f -> "log".equals(f.getString("type")) && "out".equals(f.getJsonObject("data").getString("direction")));

      agent.send("TRANSACTION_END", tx, new JsonObject());
      client.next("TRANSACTION_END");
      JsonObject done = monitor.next(f -> "status".equals(f.getString("type"))
          && "COMPLETED".equals(f.getJsonObject("data").getString("status")));
      assertThat(done.getJsonObject("data").getLong("durationMs")).isGreaterThanOrEqualTo(0);
      JsonObject metrics = monitor.next(f -> "metrics".equals(f.getString("type")));
      assertThat(metrics.getJsonObject("data").getLong("framesIn")).isEqualTo(1);
      assertThat(metrics.getJsonObject("data").getLong("framesOut")).isEqualTo(1);

      // The session lists: node B's client list knows the agent.
      Message<JsonObject> list = Await.await(a.vertx().eventBus().request(Addresses.nodeClients(b.nodeId()),
          new JsonObject().put("type", "agent").put("limit", 10), new DeliveryOptions().setSendTimeout(2000)));
      JsonArray clients = list.body().getJsonArray("clients");
      assertThat(clients.stream().map(o -> ((JsonObject) o).getString("client_id"))).contains(agent.session);
      JsonObject entry = clients.stream().map(o -> (JsonObject) o).filter(o -> agent.session.equals(o.getString("client_id")))
          .findFirst().orElseThrow();
      assertThat(entry.getString("type")).isEqualTo("agent");
      assertThat(entry.getString("platform")).isEqualTo("test-agent");
      assertThat(entry.getString("node")).isEqualTo(b.nodeId());
    }
  }

  /**
   * A client's node of an older version (during a rolling upgrade) does not say it reads forwarded members: the
   * agent's frames reach it whole, as it reads them; a node that says so gets the members.
   */
  @Test
  void anAgentsFramesGoWholeToAClientNodeThatDoesNotReadForwardedMembers() {
    try (HaipTestClient agent = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.agentHai(tool("legacy")))) {
      for (boolean readsMembers : List.of(false, true)) {
        String oldNode = "old-node-" + readsMembers;
        List<JsonObject> got = new CopyOnWriteArrayList<>();
        MessageConsumer<JsonObject> consumer = b.vertx().eventBus().<JsonObject>consumer(Addresses.nodeTx(oldNode), m -> got.add(m.body()));
        Await.await(consumer.completion());
        try {
          String tx = "tx-legacy-" + readsMembers;
          JsonObject req = new JsonObject().put("tx", tx).put("toolName", "legacy").put("params", new JsonObject())
              .put("client", new JsonObject().put("session", "s-old").put("node", oldNode))
              .put("clientNode", oldNode).put("clientClusterNode", "member-old");
          if (readsMembers) {
            req.put(TxRouting.READS_MEMBERS, true);
          }
          Message<JsonObject> reply = eventuallyValue(() -> Await.await(b.vertx().eventBus()
              .request(Addresses.tool("legacy"), req, new DeliveryOptions().setSendTimeout(2000))));
          assertThat(reply.body().getBoolean(TxRouting.READS_MEMBERS)).isTrue();
          assertThat(agent.next("TRANSACTION_START").getString("transaction")).isEqualTo(tx);
          JsonObject sent = agent.send("MESSAGE", tx, new JsonObject().put("text", "from the agent"));
          eventually(() -> assertThat(got).isNotEmpty());
          JsonObject body = got.get(0);
          if (readsMembers) {
            assertThat(body.getString(TxRouting.MEMBERS)).contains("\"from the agent\"");
            assertThat(body.containsKey("payload")).isFalse();
          } else {
            assertThat(body.containsKey(TxRouting.MEMBERS)).isFalse();
            assertThat(body.getString("type")).isEqualTo("MESSAGE");
            assertThat(body.getString("id")).isEqualTo(sent.getString("id"));
            assertThat(body.getString("transaction")).isEqualTo(tx);
            assertThat(body.getJsonObject("payload").getString("text")).isEqualTo("from the agent");
          }
          agent.send("TRANSACTION_END", tx, new JsonObject());
        } finally {
          Await.await(consumer.unregister());
        }
      }
    }
  }

  private static <T> T eventuallyValue(Supplier<T> attempt) {
    Object[] out = new Object[1];
    eventually(() -> out[0] = attempt.get());
    @SuppressWarnings("unchecked")
    T t = (T) out[0];
    return t;
  }

  @Test
  void providerLostMidTransactionAndToolVanishes() {
    try (HaipTestClient client = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai())) {
      HaipTestClient agent = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.agentHai(tool("flaky")));
      eventually(() -> assertThat(client.toolNames()).contains("flaky"));
      String tx = client.start("flaky", null);
      agent.next("TRANSACTION_START");
      client.send("MESSAGE", tx, "are you there?");
      agent.next("MESSAGE");
      agent.close();
      JsonObject lost = client.error(ErrorCodes.PROVIDER_LOST);
      assertThat(lost.getString("transaction")).isEqualTo(tx);
      JsonObject end = client.next("TRANSACTION_END");
      assertThat(end.getJsonObject("payload").getString("status")).isEqualTo("FAILED");
      eventually(() -> assertThat(client.toolNames()).doesNotContain("flaky"));
      client.send("MESSAGE", tx, "still?");
      client.error(ErrorCodes.TRANSACTION_NOT_FOUND);
      client.echoRoundTrip("alive");
    }
  }

  @Test
  void roundRobinAcrossProvidersOnBothNodes() {
    try (HaipTestClient p1 = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.agentHai(tool("rr")));
         HaipTestClient p2 = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.agentHai(tool("rr")));
         HaipTestClient client = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai())) {
      eventually(() -> assertThat(client.toolNames()).contains("rr"));
      // Both providers must be registered before round robin can reach both: wait until each has taken one.
      Set<String> servedBy = new HashSet<>();
      long deadline = System.nanoTime() + HaipTestClient.WAIT.toNanos();
      while (servedBy.size() < 2 && System.nanoTime() < deadline) {
        String tx = client.start("rr", null);
        client.send("TRANSACTION_END", tx, new JsonObject());
        boolean found = false;
        while (!found && System.nanoTime() < deadline) {
          for (HaipTestClient p : List.of(p1, p2)) {
            if (p.poll(f -> "TRANSACTION_START".equals(f.getString("type")) && tx.equals(f.getString("transaction")), 50) != null) {
              servedBy.add(p.session);
              found = true;
            }
          }
        }
      }
      assertThat(servedBy).containsExactlyInAnyOrder(p1.session, p2.session);
    }
  }

  @Test
  void toolsOfAStoppedNodeVanishEverywhere() {
    SwitchboardNode c = cluster.start("c", List.of(new HubService()), Map.of());
    try (HaipTestClient client = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai())) {
      HaipTestClient agent = HaipTestClient.open(vertx, c.httpPort(), HaipTestClient.agentHai(tool("on-c")));
      eventually(() -> assertThat(client.toolNames()).contains("on-c"));
      String tx = client.start("on-c", null);
      agent.next("TRANSACTION_START");
      cluster.stop(c);
      assertThat(agent.awaitClose()).isEqualTo((short) 1001);
      client.error(ErrorCodes.PROVIDER_LOST);
      eventually(() -> assertThat(client.toolNames()).doesNotContain("on-c"));
      client.echoRoundTrip("still here");
      assertThat(tx).isNotBlank();
    }
  }

  @Test
  void aDrainCancelsItsClientsTransactionsBeforeItsAgentsLeave() {
    SwitchboardNode e = cluster.start("e", List.of(new HubService()), Map.of());
    int clients = 12;
    List<HaipTestClient> open = new ArrayList<>();
    try (HaipTestClient agent = HaipTestClient.open(vertx, e.httpPort(), HaipTestClient.agentHai(tool("on-e")))) {
      Set<String> txs = new HashSet<>();
      for (int i = 0; i < clients; i++) {
        HaipTestClient client = HaipTestClient.open(vertx, e.httpPort(), HaipTestClient.clientHai());
        open.add(client);
        eventually(() -> assertThat(client.toolNames()).contains("on-e"));
        txs.add(client.start("on-e", null));
        agent.next("TRANSACTION_START");
      }
      cluster.stop(e);
      // clients and agent all on the draining node: each client's 1001 close ends its transaction CANCELLED, and the
      // agent hears every one before its own socket closes; no PROVIDER_LOST is counted for an ERROR nobody could
      // receive, and no cancellation is counted as undelivered
      Set<String> cancelled = new HashSet<>();
      while (cancelled.size() < clients) {
        JsonObject end = agent.next(f -> "TRANSACTION_END".equals(f.getString("type")));
        assertThat(end.getJsonObject("payload").getString("status")).isEqualTo("CANCELLED");
        cancelled.add(end.getString("transaction"));
      }
      assertThat(cancelled).isEqualTo(txs);
      for (HaipTestClient client : open) {
        assertThat(client.awaitClose()).isEqualTo((short) 1001);
      }
      assertThat(agent.awaitClose()).isEqualTo((short) 1001);
      JsonObject executions = e.context().counters().snapshot().getJsonObject("executions");
      assertThat(executions.getLong("cancelled")).isEqualTo(clients);
      assertThat(executions.getLong("failed")).isZero();
      assertThat(e.context().counters().errors(ErrorCodes.PROVIDER_LOST)).isZero();
      assertThat(e.context().metrics().registry().find("switchboard.drain.cancellations.undelivered").counter().count())
          .isZero();
    } finally {
      open.forEach(HaipTestClient::close);
    }
  }

  @Test
  void aDeadNodesToolsVanishAndItsTransactionsFailProviderLost() {
    SwitchboardNode d = cluster.start("d", List.of(new HubService()), Map.of());
    try (HaipTestClient client = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai())) {
      HaipTestClient agent = HaipTestClient.open(vertx, d.httpPort(), HaipTestClient.agentHai(tool("on-d")));
      eventually(() -> assertThat(client.toolNames()).contains("on-d"));
      String tx = client.start("on-d", null);
      agent.next("TRANSACTION_START");
      long t0 = System.nanoTime();
      // Node d dies as far as the cluster can tell: its Hazelcast member stops without leaving gracefully, while its
      // HTTP server (and the agent's socket) stay up. Only cluster membership can tell node a.
      d.context().clusterManager().getHazelcastInstance().getLifecycleService().terminate();
      JsonObject lost = client.error(ErrorCodes.PROVIDER_LOST);
      assertThat(lost.getString("transaction")).isEqualTo(tx);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(agent.isClosed()).isFalse();
      eventually(() -> assertThat(client.toolNames()).doesNotContain("on-d"));
      client.echoRoundTrip("a survives");
      agent.close();
    } finally {
      try {
        cluster.stop(d);
      } catch (RuntimeException alreadyBroken) {
        // its cluster manager is gone: closing Vert.x may fail, the test only needs the node out of the way
      }
    }
  }
}
