package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.HaipTestClient;
import io.switchboard.hub.testing.RawWebSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replay requests and the node-wide memory budget over real sockets. Node replay: answers bounded to 4 KiB; node
 * tight: a 64 KiB budget (64 open transactions); node squeeze: a 2 MiB budget under many sessions sending large
 * echoes. Every case checks that a neighbour session on the node is still served.
 */
class ReplayAndMemoryLimitsTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode replay;
  static SwitchboardNode tight;
  static SwitchboardNode squeeze;
  static SwitchboardNode narrow;
  static SwitchboardNode clientSide;
  static SwitchboardNode agentSide;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    replay = cluster.start("replay", List.of(new HubService()), Map.of(
        "cluster.mode", "none",
        "hub.replay.maxAnswerBytes", "4KiB"));
    tight = cluster.start("tight", List.of(new HubService()), Map.of(
        "cluster.mode", "none",
        "hub.memory.budget", "64KiB",
        "hub.maxTransactionsPerSession", 100));
    squeeze = cluster.start("squeeze", List.of(new HubService()), Map.of(
        "cluster.mode", "none",
        "hub.memory.budget", "2MiB"));
    narrow = cluster.start("narrow", List.of(new HubService()), Map.of(
        "cluster.mode", "none",
        "hub.writeQueueMaxBytes", "1KiB",
        "hub.slowConsumerGrace", "60s",
        "hub.maxMessageBytes", "16MiB",
        "hub.rateLimit", 100_000,
        "hub.replay.maxAnswerBytes", "16MiB"));
    clientSide = cluster.start("clientSide", List.of(new HubService()));
    agentSide = cluster.start("agentSide", List.of(new HubService()), Map.of("hub.memory.budget", "4KiB"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  static long errors(SwitchboardNode n, String code) {
    return n.context().counters().errors(code);
  }

  static HaipTestClient client(SwitchboardNode n) {
    return HaipTestClient.open(vertx, n.httpPort(), HaipTestClient.clientHai());
  }

  static String relatedId(JsonObject error) {
    return error.getJsonObject("payload").getString("related_id");
  }

  static double meter(SwitchboardNode n, String name) {
    MeterRegistry r = n.context().metrics().registry();
    var g = r.find(name).gauge();
    return g != null ? g.value() : r.get(name).functionCounter().count();
  }

  /** A counter's value before a case: 0 while nothing registered it yet. */
  static long baseline(SwitchboardNode n, String name) {
    var c = n.context().metrics().registry().find(name).functionCounter();
    return c == null ? 0 : (long) c.count();
  }

  /** The INFO closing the answer to the replay request {@code request}. */
  static JsonObject replayAnswer(HaipTestClient c, JsonObject request) {
    return c.next(f -> "INFO".equals(f.getString("type")) && "SYSTEM".equals(f.getString("channel"))
        && f.getJsonObject("payload").getJsonObject("replay") != null
        && request.getString("id").equals(f.getJsonObject("payload").getJsonObject("replay").getString("related_id")))
        .getJsonObject("payload").getJsonObject("replay");
  }

  @Test
  void theBudgetsMetricsAreExportedUnderTheirDocumentedNames() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tight.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("switchboard_memory_budget_bytes{", "switchboard_replay_bytes{",
        "switchboard_memory_transactions_bytes{", "switchboard_replay_evicted_bytes_total{",
        "switchboard_memory_refused_transactions_total{", "switchboard_replay_answers_truncated_total{",
        "switchboard_monitor_watched_executions{", "code=\"MEMORY_LIMIT\"", "code=\"SUBSCRIPTION_LIMIT\"");
    assertThat(r.body()).containsPattern("switchboard_memory_budget_bytes\\{[^}]*} 65536(\\.0)?\n");
  }

  @Test
  void everyMalformedReplayRangeIsAnswered() {
    long before = errors(replay, ErrorCodes.INVALID_PAYLOAD);
    try (HaipTestClient x = client(replay)) {
      String tx = x.start("echo", null);
      x.send("MESSAGE", tx, "one");
      x.next("MESSAGE");
      List<Object[]> cases = List.of(
          new Object[] {new JsonObject().put("from_seq", "9").put("to_seq", "3"), "greater than to_seq"},
          new Object[] {new JsonObject().put("from_seq", 1e308), "larger than any seq"},
          new Object[] {new JsonObject().put("from_seq", 2).put("to_seq", 1e308), "to_seq is larger"},
          new Object[] {new JsonObject().put("from_seq", "99999999999999999999999999"), "larger than any seq"},
          new Object[] {new JsonObject().put("from_seq", 1.5), "integer"},
          new Object[] {new JsonObject().put("from_seq", "abc"), "non-negative integer"},
          new Object[] {new JsonObject().put("from_seq", -3), "negative"},
          new Object[] {new JsonObject(), "from_seq"},
          new Object[] {new JsonObject().put("from_seq", true), "from_seq"});
      for (Object[] c : cases) {
        JsonObject sent = x.send("REPLAY_REQUEST", tx, c[0]);
        JsonObject err = x.error(ErrorCodes.INVALID_PAYLOAD);
        assertThat(relatedId(err)).as("answer to %s", c[0]).isEqualTo(sent.getString("id"));
        assertThat(err.getJsonObject("payload").getString("message")).contains((String) c[1]);
      }
      // a well-formed range with nothing in it is answered too
      JsonObject empty = x.send("REPLAY_REQUEST", tx, new JsonObject().put("from_seq", "1000000").put("to_seq", "1000001"));
      JsonObject answer = replayAnswer(x, empty);
      assertThat(answer.getInteger("frames")).isZero();
      assertThat(answer.getBoolean("complete")).isTrue();
      x.echoRoundTrip("still fine");
    }
    assertThat(errors(replay, ErrorCodes.INVALID_PAYLOAD)).isGreaterThanOrEqualTo(before + 9);
  }

  @Test
  void replayAnswersAreBoundedAndSayWhereToAskForTheRest() {
    try (HaipTestClient x = client(replay)) {
      String tx = x.start("echo", null);
      List<String> seqs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String text = i + ":" + "r".repeat(1000);
        x.send("MESSAGE", tx, text);
        seqs.add(x.next(f -> "MESSAGE".equals(f.getString("type")) && text.equals(f.getValue("payload"))).getString("seq"));
      }
      long truncatedBefore = baseline(replay, "switchboard.replay.answers.truncated");
      List<String> replayed = new ArrayList<>();
      String from = seqs.get(0);
      int requests = 0;
      while (true) {
        requests++;
        x.seen().clear();
        JsonObject req = x.send("REPLAY_REQUEST", tx, new JsonObject().put("from_seq", from).put("to_seq", seqs.get(11)));
        JsonObject answer = replayAnswer(x, req);
        List<String> got = x.seen().stream().filter(f -> "MESSAGE".equals(f.getString("type"))).map(f -> f.getString("seq")).toList();
        assertThat(got).hasSize(answer.getInteger("frames"));
        // each answer stays within 4 KiB of frames (three of about 1.2 KB here)
        assertThat(got.size()).isBetween(1, 3);
        replayed.addAll(got);
        if (answer.getBoolean("complete")) {
          break;
        }
        assertThat(answer.getString("limit")).isEqualTo("hub.replay.maxAnswerBytes");
        from = answer.getString("next_seq");
        assertThat(requests).isLessThan(12);
      }
      assertThat(replayed).containsExactlyElementsOf(seqs);
      assertThat(requests).isGreaterThanOrEqualTo(4);
      assertThat((long) meter(replay, "switchboard.replay.answers.truncated")).isEqualTo(truncatedBefore + requests - 1);
    }
  }

  @Test
  void transactionStartIsRefusedWithMemoryLimitWhenOpenTransactionsFillTheBudget() {
    long before = errors(tight, ErrorCodes.MEMORY_LIMIT);
    try (HaipTestClient neighbour = client(tight); HaipTestClient x = client(tight)) {
      List<String> open = new ArrayList<>();
      JsonObject refused = null;
      JsonObject refusedStart = null;
      for (int i = 0; i < 100 && refused == null; i++) {
        String ref = "ref-" + i;
        JsonObject start = x.send("TRANSACTION_START", ref, new JsonObject().put("toolName", "echo"));
        JsonObject answer = x.next(f -> ("TRANSACTION_START".equals(f.getString("type"))
            && ref.equals(f.getJsonObject("payload").getString("referenceId")))
            || ("ERROR".equals(f.getString("type")) && start.getString("id").equals(relatedId(f))));
        if ("ERROR".equals(answer.getString("type"))) {
          refused = answer;
          refusedStart = start;
        } else {
          open.add(answer.getString("transaction"));
        }
      }
      assertThat(refused).as("a start refused within 100").isNotNull();
      assertThat(refused.getJsonObject("payload").getString("code")).isEqualTo(ErrorCodes.MEMORY_LIMIT);
      assertThat(relatedId(refused)).isEqualTo(refusedStart.getString("id"));
      // 64 KiB at 1 KiB per open transaction (the neighbour holds none)
      assertThat(open).hasSize(64);
      assertThat(errors(tight, ErrorCodes.MEMORY_LIMIT)).isEqualTo(before + 1);
      // the open ones still work, and ending one makes room
      x.send("MESSAGE", open.get(0), "still here");
      assertThat(x.next(f -> "MESSAGE".equals(f.getString("type")) && open.get(0).equals(f.getString("transaction")))
          .getValue("payload")).isEqualTo("still here");
      x.send("TRANSACTION_END", open.get(0), new JsonObject());
      eventually(() -> assertThat(meter(tight, "switchboard.memory.transactions")).isLessThan(64 * 1024));
      neighbour.echoRoundTrip("room again");
    }
    eventually(() -> assertThat(meter(tight, "switchboard.memory.transactions")).isZero());
    eventually(() -> assertThat(meter(tight, "switchboard.replay")).isZero());
  }

  @Test
  void aReplayStopsAtAFullWriteQueueAndSaysWhere() throws Exception {
    long cutBefore = baseline(narrow, "switchboard.replay.answers.truncated");
    try (HaipTestClient neighbour = client(narrow); RawWebSocket slow = new RawWebSocket(narrow.httpPort(), "/haip", 4096)) {
      slow.readUntilType("HAI");
      slow.sendText(HaipTestClient.envelope("s", "HAI", null, HaipTestClient.clientHai()).encode());
      slow.sendText(HaipTestClient.envelope("s", "TRANSACTION_START", "ref", new JsonObject().put("toolName", "echo")).encode());
      JsonObject started = slow.readUntilType("TRANSACTION_START");
      String tx = started.getString("transaction");
      long startSeq = Long.parseLong(started.getString("seq"));
      // echoes the socket does not read: the server's write queue fills (the window keeps the last 256 KiB)
      String pad = "w".repeat(8_000);
      for (int i = 0; i < 300; i++) {
        slow.sendText(HaipTestClient.envelope("s", "MESSAGE", tx, pad).encode());
      }
      JsonObject req = HaipTestClient.envelope("s", "REPLAY_REQUEST", tx,
          new JsonObject().put("from_seq", Long.toString(startSeq + 280)));
      slow.sendText(req.encode());
      neighbour.echoRoundTrip("not held up by the unread socket");
      // now read: the echoes, then the answer
      JsonObject answer = null;
      while (answer == null) {
        RawWebSocket.Frame f = slow.read();
        if (f.opcode() == 1 && f.payload().length < 2000) {
          JsonObject j = new JsonObject(f.text());
          JsonObject replay = "INFO".equals(j.getString("type")) ? j.getJsonObject("payload").getJsonObject("replay") : null;
          if (replay != null && req.getString("id").equals(replay.getString("related_id"))) {
            answer = replay;
          }
        }
        assertThat(f.opcode()).as("no close before the answer").isNotEqualTo(8);
      }
      assertThat(answer.getBoolean("complete")).isFalse();
      assertThat(answer.getString("limit")).isEqualTo("write queue full");
      // the range held 21 frames; the answer stopped where the queue filled, and says where to go on
      int sent = answer.getInteger("frames");
      assertThat(sent).isLessThan(21);
      assertThat(Long.parseLong(answer.getString("next_seq"))).isBetween(startSeq + 280 + sent, startSeq + 301);
      assertThat((long) meter(narrow, "switchboard.replay.answers.truncated")).isEqualTo(cutBefore + 1);
    }
  }

  @Test
  void aProviderNodeWithoutRoomRefusesAndTheClientGetsMemoryLimit() {
    long before = errors(clientSide, ErrorCodes.MEMORY_LIMIT);
    JsonArray tools = new JsonArray().add(new JsonObject().put("name", "held").put("description", "keeps transactions open"));
    try (HaipTestClient agent = HaipTestClient.open(vertx, agentSide.httpPort(), HaipTestClient.agentHai(tools));
         HaipTestClient x = client(clientSide)) {
      eventually(() -> assertThat(x.toolNames()).contains("held"));
      // 4 KiB at 1 KiB per open transaction on the agent's node
      for (int i = 0; i < 4; i++) {
        x.start("held", null);
        agent.next("TRANSACTION_START");
      }
      JsonObject fifth = x.send("TRANSACTION_START", "ref-5", new JsonObject().put("toolName", "held"));
      assertThat(relatedId(x.error(ErrorCodes.MEMORY_LIMIT))).isEqualTo(fifth.getString("id"));
      assertThat(errors(clientSide, ErrorCodes.MEMORY_LIMIT)).isEqualTo(before + 1);
      assertThat(meter(agentSide, "switchboard.memory.refused.transactions")).isEqualTo(1);
      x.echoRoundTrip("the client's own node has room");
    }
    eventually(() -> assertThat(meter(agentSide, "switchboard.memory.transactions")).isZero());
  }

  @Test
  void manySessionsWithLargeEchoesStayWithinTheBudgetAndTheOldestFramesGoFirst() throws Exception {
    long budget = 2L * 1024 * 1024;
    AtomicLong highest = new AtomicLong();
    long watcher = vertx.setPeriodic(5, id -> highest.accumulateAndGet((long) meter(squeeze, "switchboard.replay"), Math::max));
    List<HaipTestClient> sessions = new ArrayList<>();
    Map<HaipTestClient, List<String>> txs = new HashMap<>();
    String big = "e".repeat(50_000);
    JsonObject firstEcho = null;
    String firstTx = null;
    try (HaipTestClient neighbour = client(squeeze)) {
      for (int s = 0; s < 8; s++) {
        HaipTestClient c = client(squeeze);
        sessions.add(c);
        txs.put(c, new ArrayList<>());
      }
      // 8 sessions x 20 open transactions x 2 echoes of 50 KB: 16 MB of frames against 2 MiB
      for (int round = 0; round < 20; round++) {
        for (HaipTestClient c : sessions) {
          String tx = c.start("echo", null);
          txs.get(c).add(tx);
          for (int k = 0; k < 2; k++) {
            c.send("MESSAGE", tx, big);
            JsonObject echo = c.next(f -> "MESSAGE".equals(f.getString("type")) && tx.equals(f.getString("transaction")));
            if (firstEcho == null) {
              firstEcho = echo;
              firstTx = tx;
            }
          }
          c.seen().clear();
        }
        neighbour.echoRoundTrip("round " + round);
      }
      // the first frames of the first session are gone; the newest of the last one is kept
      HaipTestClient first = sessions.get(0);
      String txOfFirst = firstTx;
      String firstSeq = firstEcho.getString("seq");
      // the sweep sheds within a few ticks of the pressure: ask until the answer is TOO_OLD
      eventually(() -> {
        JsonObject old = first.send("REPLAY_REQUEST", txOfFirst, new JsonObject().put("from_seq", firstSeq).put("to_seq", firstSeq));
        JsonObject answer = first.next(f -> ("INFO".equals(f.getString("type")) || "ERROR".equals(f.getString("type")))
            && old.getString("id").equals(f.getJsonObject("payload").getString("related_id",
                f.getJsonObject("payload").getJsonObject("replay") == null ? null
                    : f.getJsonObject("payload").getJsonObject("replay").getString("related_id"))));
        first.seen().clear();
        assertThat(answer.getString("type")).isEqualTo("ERROR");
        assertThat(answer.getJsonObject("payload").getString("code")).isEqualTo(ErrorCodes.REPLAY_TOO_OLD);
      });
      assertThat(highest.get()).as("replay bytes held, at most").isLessThanOrEqualTo(budget);
      assertThat(meter(squeeze, "switchboard.replay.evicted")).isGreaterThan(8_000_000);
      // once the sweep has shed the oldest frames (every 250 ms), a new frame is kept and replays; while the node
      // is still at its budget a frame may find no room (REPLAY_TOO_OLD for it), so this is asked until it holds
      HaipTestClient last = sessions.get(sessions.size() - 1);
      String lastTx = txs.get(last).get(19);
      AtomicLong attempt = new AtomicLong();
      eventually(() -> {
        String text = "newest-" + attempt.incrementAndGet();
        last.send("MESSAGE", lastTx, text);
        String seq = last.next(f -> text.equals(f.getValue("payload"))).getString("seq");
        JsonObject req = last.send("REPLAY_REQUEST", lastTx, new JsonObject().put("from_seq", seq));
        JsonObject answer = last.next(f -> ("MESSAGE".equals(f.getString("type")) && seq.equals(f.getString("seq")))
            || ("ERROR".equals(f.getString("type")) && req.getString("id").equals(f.getJsonObject("payload").getString("related_id"))));
        last.seen().clear();
        assertThat(answer.getValue("payload")).as("the replay of " + text).isEqualTo(text);
        assertThat(replayAnswer(last, req).getBoolean("complete")).isTrue();
      });
      neighbour.echoRoundTrip("still served");
    } finally {
      vertx.cancelTimer(watcher);
      sessions.forEach(HaipTestClient::close);
    }
    eventually(() -> assertThat(meter(squeeze, "switchboard.replay")).isZero());
    eventually(() -> assertThat(meter(squeeze, "switchboard.memory.transactions")).isZero());
  }
}
