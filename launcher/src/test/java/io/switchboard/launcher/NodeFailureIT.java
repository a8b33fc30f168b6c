package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Losing nodes, with real processes on 127.0.0.1: a node paused past the membership timeout comes back with
 * every tool reachable from every node, and when it then dies what it served fails at once (it came back under a
 * new Hazelcast member UUID); a SIGKILLed hub node fails exactly the transactions its agent served
 * (PROVIDER_LOST) and a node-down alert fires once; the stats node and the evaluating alert node are survived.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeFailureIT {
  static final String CLUSTER = "sb-fail-" + UUID.randomUUID().toString().substring(0, 8);
  static int clusterPort;
  static final List<NodeProcess> nodes = new ArrayList<>();

  static NodeProcess startNode(String name, String services) throws Exception {
    // 5 join ports for 4 nodes: after a split, Hazelcast's merge search waits 5 s on each address that does not answer
    return NodeProcess.startMember(CLUSTER, clusterPort, 5, name, services);
  }

  @BeforeAll
  static void start() throws Exception {
    clusterPort = TestNodes.freePortRange(5);
    // n4 starts first and forms the cluster, so it is the Hazelcast master (the oldest member): pausing it makes the
    // others elect a new master as well as drop it, the harder case
    NodeProcess n4 = startNode("n4", "hub,stats");
    n4.awaitReady(Duration.ofSeconds(90));
    nodes.add(startNode("n1", "hub,stats,alert"));
    nodes.add(startNode("n2", "hub,stats,alert"));
    nodes.add(startNode("n3", "hub"));
    nodes.add(n4);
    for (NodeProcess n : nodes) {
      n.awaitReady(Duration.ofSeconds(90));
    }
    Await.waitFor(Duration.ofSeconds(30), () -> nodes.get(0).clusterSize() == 4, "cluster of 4 never formed");
    awaitSafe();
  }

  /**
   * Every partition's backup in place, as before any planned kill: with Hazelcast's backup count of 1, a member killed
   * while partitions still migrate can take entries with it (measured: the alert epoch and leader record, right after
   * the cluster formed).
   */
  static void awaitSafe() {
    List<NodeProcess> live = nodes.stream().filter(NodeProcess::alive).toList();
    Await.waitFor(Duration.ofSeconds(30), () -> live.stream().allMatch(NodeProcess::clusterSafe),
        "the cluster never reported its partitions safe");
  }

  /** This node's {@code switchboard_stats_publisher} gauge: 1 while its stats replica publishes cluster stats. */
  static int publishes(NodeProcess n) {
    NodeProcess.Response r = n.get("/metrics");
    if (r.status() != 200) {
      return -1;
    }
    return r.body().lines().filter(l -> l.startsWith("switchboard_stats_publisher{"))
        .mapToInt(l -> (int) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
  }

  static String sizes(List<NodeProcess> ns) {
    StringBuilder sb = new StringBuilder();
    ns.forEach(n -> sb.append(' ').append(n.name).append(" sees ").append(n.clusterSize()));
    return sb.toString().trim();
  }

  @AfterAll
  static void stop() {
    nodes.forEach(NodeProcess::close);
  }

  static void signal(NodeProcess n, String sig) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + sig, String.valueOf(n.pid())).start().waitFor()).isZero();
  }

  @Test
  @Order(1)
  void aPausedNodeComesBackAndEveryToolIsReachableFromEveryNode() throws Exception {
    NodeProcess n4 = nodes.get(3);
    String masterId = nodes.get(0).json("/cluster").getJsonArray("members").getJsonObject(0).getString("memberId");
    JsonArray own = n4.json("/cluster").getJsonArray("members");
    String n4Member = own.stream().map(JsonObject.class::cast).filter(m -> m.getBoolean("local")).findFirst().orElseThrow().getString("memberId");
    assertThat(masterId).as("n4 formed the cluster, so it is the master (first in the member list)").isEqualTo(n4Member);
    // n4 started first, so its stats replica took the publisher lock
    Await.waitFor(Duration.ofSeconds(10), () -> publishes(n4) == 1, "n4 never became the stats publisher");
    List<NodeProcess> live = nodes.subList(0, 3);
    signal(n4, "STOP");
    long t0 = System.nanoTime();
    long removedMs;
    boolean[] split = {false};
    try {
      // paused beyond the membership timeout: no live node lists it any more (5-6 s; 15 s in a run that split).
      // Electing a new master can split the live nodes for a while (docs/operations.md); that is noted, and the
      // merge after SIGCONT must heal it.
      Await.waitFor(Duration.ofSeconds(30), () -> {
        boolean gone = true;
        for (NodeProcess n : live) {
          int size = n.clusterSize();
          split[0] |= size > 0 && size < 3;
          gone &= size > 0 && size < 4;
        }
        return gone;
      }, "the paused master was still listed after 30 s");
      removedMs = (System.nanoTime() - t0) / 1_000_000;
    } finally {
      // resumed whatever happened, so that a failure here does not also fail every later test
      signal(n4, "CONT");
    }
    long contAt = System.nanoTime();
    try {
      Await.waitFor(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> n.clusterSize() == 4), "rejoin");
    } catch (AssertionError e) {
      throw new AssertionError("the four nodes did not agree on one cluster within a minute of SIGCONT: " + sizes(nodes), e);
    }
    // the cluster freed n4's publisher lock when it dropped n4, and another replica took it: back, n4 must notice and
    // stop, or two replicas would publish interleaved cluster stats
    Await.waitFor(Duration.ofSeconds(10), () -> nodes.stream().mapToInt(NodeFailureIT::publishes).sum() == 1,
        "not exactly one stats publisher after the merge");
    assertThat(publishes(n4)).as("the merged-back n4 still publishes").isZero();
    System.out.printf("paused master removed after %d ms%s, all four agree again %d ms after SIGCONT%n", removedMs,
        split[0] ? " (the election split the live nodes; the merge healed it)" : "", (System.nanoTime() - contAt) / 1_000_000);
    // the event bus works again between every pair of nodes (a clustered consumer on each, asked from each)
    List<String> ids = new ArrayList<>();
    for (NodeProcess n : nodes) {
      ids.add(n.json("/health").getString("nodeId"));
    }
    Await.waitFor(Duration.ofSeconds(30), () -> {
      for (NodeProcess from : nodes) {
        for (String id : ids) {
          if (from.get("/cluster/nodes/" + id).status() != 200) {
            return false;
          }
        }
      }
      return true;
    }, "the event bus did not reach every node from every node after the rejoin");
    System.out.printf("event bus complete between all pairs %d ms after SIGSTOP%n", (System.nanoTime() - t0) / 1_000_000);
    // one agent per node offers the same tool; every node must reach providers, none stale, none lost
    List<HaipClient> agents = new ArrayList<>();
    try {
      for (NodeProcess n : nodes) {
        agents.add(HaipClient.connect(n.httpPort).agent("everywhere"));
      }
      for (NodeProcess n : nodes) {
        Await.waitFor(Duration.ofSeconds(15), () -> {
          try (HaipClient c = HaipClient.connect(n.httpPort).handshake(null)) {
            c.send(c.frame("TOOL_LIST", null, new JsonObject(), "SYSTEM"));
            return c.await("TOOL_LIST", Duration.ofSeconds(5)).encode().contains("everywhere");
          }
        }, "the tool never appeared on " + n.name);
      }
      for (NodeProcess n : nodes) {
        try (HaipClient c = HaipClient.connect(n.httpPort).handshake(null)) {
          for (int i = 0; i < 8; i++) {
            String tx = c.start("everywhere");
            try {
              assertThat(c.echo(tx, "from " + n.name + " #" + i).getString("transaction")).isEqualTo(tx);
            } catch (AssertionError e) {
              StringBuilder where = new StringBuilder();
              for (int k = 0; k < agents.size(); k++) {
                for (JsonObject f : agents.get(k).received) {
                  if (tx.equals(f.getString("transaction"))) {
                    where.append(nodes.get(k).name).append(':').append(f.getString("type")).append(' ');
                  }
                }
              }
              throw new AssertionError("no echo for " + tx + " from a client on " + n.name + " #" + i
                  + "; agents saw: " + where + "; client saw: " + c.received, e);
            }
            c.end(tx);
          }
        }
      }
      // round robin over four providers: every agent, the resumed node's included, served some
      for (int i = 0; i < agents.size(); i++) {
        HaipClient a = agents.get(i);
        a.await("TRANSACTION_START", Duration.ofSeconds(2));
      }
    } finally {
      agents.forEach(HaipClient::close);
    }
  }

  /**
   * The node that was paused and merged back (under a new Hazelcast member UUID) now dies for good: the others
   * must match its death to what it announced and served, so a transaction it served fails PROVIDER_LOST at once
   * and its tool leaves TOOL_LIST at once, not after the 15 s announcement lease or the execution timeout.
   */
  @Test
  @Order(2)
  void theMergedBackNodeDyingFailsWhatItServedAtOnce() throws Exception {
    NodeProcess n1 = nodes.get(0);
    NodeProcess n4 = nodes.get(3);
    HaipClient agent = HaipClient.connect(n4.httpPort).agent("only_on_n4");
    HaipClient client = HaipClient.connect(n1.httpPort).handshake(null);
    try {
      Await.waitFor(Duration.ofSeconds(15), () -> HaipClient.toolListed(n1.httpPort, "only_on_n4"), "only_on_n4 never reached n1");
      String tx = client.start("only_on_n4");
      client.echo(tx, "before the kill");
      awaitSafe();
      long t0 = System.nanoTime();
      n4.kill();
      JsonObject err = client.await(f -> "ERROR".equals(f.getString("type"))
          && "PROVIDER_LOST".equals(f.getJsonObject("payload").getString("code")), Duration.ofSeconds(10),
          "PROVIDER_LOST for the transaction served by the merged-back node");
      long lostMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(err.getString("transaction")).isEqualTo(tx);
      // its tool left the directory with it: well before the announcement lease (15 s) could have run out
      assertThat(HaipClient.toolListed(n1.httpPort, "only_on_n4")).as("the dead merged-back node's tool is still listed on n1").isFalse();
      long goneMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(goneMs).isLessThan(12_000);
      System.out.printf("merged-back node killed: PROVIDER_LOST after %d ms, tool gone by %d ms%n", lostMs, goneMs);
    } finally {
      agent.close();
      client.close();
    }
  }

  @Test
  @Order(3)
  void aKilledHubNodeFailsOnlyTheTransactionsItServed() throws Exception {
    NodeProcess n1 = nodes.get(0);
    NodeProcess n2 = nodes.get(1);
    NodeProcess n3 = nodes.get(2);
    HaipClient monitor = HaipClient.connect("ws://127.0.0.1:" + n1.httpPort + "/ws");
    monitor.send(new JsonObject().put("type", "subscribe").put("topic", "alerts"));
    monitor.await("subscribed", Duration.ofSeconds(5));
    HaipClient agent = HaipClient.connect(n3.httpPort).agent("only_on_n3");
    HaipClient servedByN3 = HaipClient.connect(n1.httpPort).handshake(null);
    HaipClient bystander = HaipClient.connect(n2.httpPort).handshake(null);
    try {
      Await.waitFor(Duration.ofSeconds(15), () -> {
        try (HaipClient c = HaipClient.connect(n1.httpPort).handshake(null)) {
          c.send(c.frame("TOOL_LIST", null, new JsonObject(), "SYSTEM"));
          return c.await("TOOL_LIST", Duration.ofSeconds(5)).encode().contains("only_on_n3");
        }
      }, "only_on_n3 never reached n1");
      String lost = servedByN3.start("only_on_n3");
      servedByN3.echo(lost, "before the kill");
      String fine = bystander.start("echo");
      bystander.echo(fine, "before the kill");
      long statsUpBefore = n1.json("/stats").getInteger("nodesUp");
      awaitSafe();
      long t0 = System.nanoTime();
      n3.kill();
      JsonObject err = servedByN3.await(f -> "ERROR".equals(f.getString("type"))
          && "PROVIDER_LOST".equals(f.getJsonObject("payload").getString("code")), Duration.ofSeconds(10), "PROVIDER_LOST");
      System.out.printf("PROVIDER_LOST %d ms after SIGKILL%n", (System.nanoTime() - t0) / 1_000_000);
      assertThat(err.getString("transaction")).isEqualTo(lost);
      // the other transaction carries on untouched
      bystander.echo(fine, "after the kill");
      Await.waitFor(Duration.ofSeconds(10), () -> n1.json("/stats").getInteger("nodesUp") == statsUpBefore - 1,
          "stats still count the killed node");
      // the node-down alert fires, once
      JsonObject firing = monitor.await(f -> "alert".equals(f.getString("type"))
          && "SwitchboardNodeDown".equals(f.getJsonObject("data").getString("rule"))
          && "firing".equals(f.getJsonObject("data").getString("state"))
          && "n3".equals(f.getJsonObject("data").getJsonObject("labels").getString("node")), Duration.ofSeconds(15), "node-down alert");
      assertThat(firing.getJsonObject("data").getString("id")).isNotBlank();
      Await.waitFor(Duration.ofSeconds(5), () -> n1.get("/alerts").body().contains("SwitchboardNodeDown"), "not in /alerts");
      // no second firing for the same episode within the next few evaluations
      boolean repeated;
      try {
        monitor.await(f -> "alert".equals(f.getString("type"))
            && "SwitchboardNodeDown".equals(f.getJsonObject("data").getString("rule"))
            && "firing".equals(f.getJsonObject("data").getString("state"))
            && "n3".equals(f.getJsonObject("data").getJsonObject("labels").getString("node")), Duration.ofSeconds(4), "repeat");
        repeated = true;
      } catch (AssertionError e) {
        repeated = false;
      }
      assertThat(repeated).as("the node-down alert fired twice").isFalse();
    } finally {
      agent.close();
      servedByN3.close();
      bystander.close();
      monitor.close();
    }
  }

  @Test
  @Order(4)
  void theStatsNodeAndTheEvaluatingAlertNodeAreSurvived() throws Exception {
    NodeProcess n1 = nodes.get(0);
    NodeProcess n2 = nodes.get(1);
    String leader = n1.json("/alerts/status").getJsonObject("leader").getString("name");
    NodeProcess victim = leader.equals("n1") ? n1 : n2;
    NodeProcess survivor = victim == n1 ? n2 : n1;
    awaitSafe();
    long before = survivor.json("/stats").getLong("totalMessages");
    long t0 = System.nanoTime();
    victim.kill();
    // the survivor's stats replica answers with totals that did not go backwards
    Await.waitFor(Duration.ofSeconds(10), () -> {
      NodeProcess.Response r = survivor.get("/stats");
      return r.status() == 200 && new JsonObject(r.body()).getLong("totalMessages") >= before;
    }, "stats not served after the stats node died");
    // the other alert replica takes over within 10 s
    Await.waitFor(Duration.ofSeconds(10), () -> {
      NodeProcess.Response r = survivor.get("/alerts/status");
      return r.status() == 200 && survivor.name.equals(new JsonObject(r.body()).getJsonObject("leader").getString("name"));
    }, "no alert leader took over");
    System.out.printf("alert leadership moved %d ms after SIGKILL%n", (System.nanoTime() - t0) / 1_000_000);
    NodeProcess.Response alerts = survivor.get("/alerts");
    assertThat(alerts.status()).as("GET /alerts on the survivor: %s", alerts.body()).isEqualTo(200);
  }
}
