package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.HaipTestClient;
import io.switchboard.hub.testing.RawWebSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken input over real sockets, on a two-node cluster (a: tight limits; b: auth tokens) plus a third
 * node (c: connection limit and a tiny write queue). Every case asserts its code, its related_id where the frame had
 * an id, the node's error counter, and that a well-behaved session on the same node carries on.
 */
class HostileInputTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode a;
  static SwitchboardNode b;
  static SwitchboardNode c;
  static Vertx vertx;
  HaipTestClient good;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    a = cluster.start("a", List.of(new HubService()), Map.of(
        "hub.maxMessageBytes", "16KiB",
        "hub.rateLimit", 50,
        "hub.rateLimitCloseAfter", 20,
        "hub.maxTransactionsPerSession", 3,
        "hub.execution.timeout", "2s",
        "hub.replay.maxFrames", 3));
    b = cluster.start("b", List.of(new HubService()), Map.of(
        "hub.auth.tokens", "client-secret",
        "hub.auth.agentTokens", "agent-secret"));
    c = cluster.start("c", List.of(new HubService()), Map.of(
        "hub.maxConnections", 3,
        "hub.writeQueueMaxBytes", "1KiB",
        "hub.slowConsumerGrace", "200ms",
        "hub.rateLimit", 100000,
        "hub.rateLimitCloseAfter", 100000));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  @BeforeEach
  void goodSession() {
    good = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai());
    good.echoRoundTrip("before");
  }

  @AfterEach
  void goodSessionUnaffected() {
    good.echoRoundTrip("after");
    assertThat(good.isClosed()).isFalse();
    good.close();
  }

  static long errors(SwitchboardNode n, String code) {
    return n.context().counters().errors(code);
  }

  static String relatedId(JsonObject error) {
    return error.getJsonObject("payload").getString("related_id");
  }

  static HaipTestClient client(SwitchboardNode n) {
    return HaipTestClient.open(vertx, n.httpPort(), HaipTestClient.clientHai());
  }

  @Test
  void malformedJsonCarriesOn() {
    long before = errors(a, ErrorCodes.INVALID_MESSAGE);
    try (HaipTestClient x = client(a)) {
      x.sendRaw("{\"id\":\"bad-1\", \"type\": oops");
      assertThat(relatedId(x.error(ErrorCodes.INVALID_MESSAGE))).isEqualTo("bad-1");
      x.sendRaw("[1,2,3]");
      assertThat(relatedId(x.error(ErrorCodes.INVALID_MESSAGE))).isNull();
      x.sendRaw("");
      x.error(ErrorCodes.INVALID_MESSAGE);
      x.echoRoundTrip("still fine");
    }
    assertThat(errors(a, ErrorCodes.INVALID_MESSAGE)).isGreaterThanOrEqualTo(before + 3);
  }

  @Test
  void missingFieldsCarryOn() {
    try (HaipTestClient x = client(a)) {
      for (String field : List.of("ts", "seq", "session", "channel", "payload")) {
        JsonObject f = HaipTestClient.envelope(x.session, "PING", null, new JsonObject());
        f.remove(field);
        x.sendRaw(f.encode());
        JsonObject err = x.error(ErrorCodes.INVALID_MESSAGE);
        assertThat(relatedId(err)).isEqualTo(f.getString("id"));
        assertThat(err.getJsonObject("payload").getString("message")).contains(field);
      }
      JsonObject noId = HaipTestClient.envelope(x.session, "PING", null, new JsonObject());
      noId.remove("id");
      x.sendRaw(noId.encode());
      assertThat(relatedId(x.error(ErrorCodes.INVALID_MESSAGE))).isNull();
      x.echoRoundTrip("still fine");
    }
  }

  @Test
  void unknownTypeCarriesOn() {
    long before = errors(a, ErrorCodes.UNSUPPORTED_TYPE);
    try (HaipTestClient x = client(a)) {
      JsonObject sent = x.send("RUN_STARTED", null, new JsonObject());
      assertThat(relatedId(x.error(ErrorCodes.UNSUPPORTED_TYPE))).isEqualTo(sent.getString("id"));
      x.echoRoundTrip("still fine");
    }
    assertThat(errors(a, ErrorCodes.UNSUPPORTED_TYPE)).isEqualTo(before + 1);
  }

  @Test
  void anotherSessionsTransactionIsNotFound() {
    try (HaipTestClient owner = client(a); HaipTestClient thief = client(a)) {
      String tx = owner.start("echo", null);
      JsonObject sent = thief.send("MESSAGE", tx, "mine now");
      JsonObject err = thief.error(ErrorCodes.TRANSACTION_NOT_FOUND);
      assertThat(relatedId(err)).isEqualTo(sent.getString("id"));
      JsonObject end = thief.send("TRANSACTION_END", tx, new JsonObject());
      assertThat(relatedId(thief.error(ErrorCodes.TRANSACTION_NOT_FOUND))).isEqualTo(end.getString("id"));
      owner.send("MESSAGE", tx, "still mine");
      assertThat(owner.next("MESSAGE").getValue("payload")).isEqualTo("still mine");
      assertThat(thief.poll(f -> "MESSAGE".equals(f.getString("type")), 200)).isNull();
    }
  }

  @Test
  void binaryFramesAreRefusedAndSessionCarriesOn() {
    long before = errors(a, ErrorCodes.PROTOCOL_VIOLATION);
    try (HaipTestClient x = client(a)) {
      x.sendBinary(new byte[] {1, 2, 3});
      x.error(ErrorCodes.PROTOCOL_VIOLATION);
      x.echoRoundTrip("still fine");
      assertThat(x.isClosed()).isFalse();
    }
    assertThat(errors(a, ErrorCodes.PROTOCOL_VIOLATION)).isEqualTo(before + 1);
  }

  @Test
  void firstFrameNotHaiCloses1008() {
    HaipTestClient x = HaipTestClient.connect(vertx, a.httpPort(), "/haip");
    JsonObject sent = x.send("PING", null, new JsonObject().put("nonce", "1"));
    assertThat(relatedId(x.error(ErrorCodes.PROTOCOL_VIOLATION))).isEqualTo(sent.getString("id"));
    assertThat(x.awaitClose()).isEqualTo((short) 1008);
  }

  @Test
  void tooLargeSingleFrameCloses1009() {
    long before = errors(a, ErrorCodes.MESSAGE_TOO_LARGE);
    HaipTestClient x = client(a);
    JsonObject big = HaipTestClient.envelope(x.session, "PING", null, new JsonObject().put("pad", "x".repeat(20_000)));
    x.sendRaw(big.encode());
    assertThat(relatedId(x.error(ErrorCodes.MESSAGE_TOO_LARGE))).isEqualTo(big.getString("id"));
    assertThat(x.awaitClose()).isEqualTo((short) 1009);
    assertThat(errors(a, ErrorCodes.MESSAGE_TOO_LARGE)).isEqualTo(before + 1);
  }

  @Test
  void tooLargeFragmentedMessageCloses1009() {
    HaipTestClient x = client(a);
    JsonObject big = HaipTestClient.envelope(x.session, "PING", null, new JsonObject().put("pad", "y".repeat(30_000)));
    String text = big.encode();
    // Each fragment is under the limit; the reassembled message is not.
    x.sendFrame(WebSocketFrame.textFrame(text.substring(0, 10_000), false));
    x.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(text.substring(10_000, 20_000)), false));
    // The hub refuses as soon as the sum crosses the limit (here, at the second fragment) and closes.
    assertThat(relatedId(x.error(ErrorCodes.MESSAGE_TOO_LARGE))).isEqualTo(big.getString("id"));
    assertThat(x.awaitClose()).isEqualTo((short) 1009);
  }

  @Test
  void fragmentedMessageUnderTheLimitIsAccepted() {
    try (HaipTestClient x = client(a)) {
      String tx = x.start("echo", null);
      String text = HaipTestClient.envelope(x.session, "MESSAGE", tx, "z".repeat(9_000)).encode();
      x.sendFrame(WebSocketFrame.textFrame(text.substring(0, 5_000), false));
      x.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(text.substring(5_000)), true));
      assertThat(x.next("MESSAGE").getString("payload")).hasSize(9_000);
    }
  }

  @Test
  void rateLimitedFramesAreRefusedThenSessionClosed1008() {
    long before = errors(a, ErrorCodes.RATE_LIMITED);
    HaipTestClient x = client(a);
    Set<String> sentIds = new HashSet<>();
    List<JsonObject> sent = new ArrayList<>();
    for (int i = 0; i < 120 && !x.isClosed(); i++) {
      JsonObject f = HaipTestClient.envelope(x.session, "PING", null, new JsonObject().put("nonce", i));
      sent.add(f);
      sentIds.add(f.getString("id"));
      try {
        x.sendRaw(f.encode());
      } catch (IllegalStateException closed) {
        break;
      }
    }
    JsonObject limited = x.error(ErrorCodes.RATE_LIMITED);
    assertThat(sentIds).contains(relatedId(limited));
    // The refused frame was not processed: no PONG names its nonce.
    assertThat(x.awaitClose()).isEqualTo((short) 1008);
    int idx = sent.stream().map(f -> f.getString("id")).toList().indexOf(relatedId(limited));
    Object nonce = sent.get(idx).getJsonObject("payload").getValue("nonce");
    assertThat(x.seen().stream().filter(f -> "PONG".equals(f.getString("type")))
        .map(f -> f.getJsonObject("payload").getValue("nonce"))).doesNotContain(nonce);
    assertThat(errors(a, ErrorCodes.RATE_LIMITED)).isGreaterThanOrEqualTo(before + 20);
  }

  @Test
  void runLimitExceeded() {
    try (HaipTestClient x = client(a)) {
      List<String> txs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        txs.add(x.start("echo", null));
      }
      JsonObject fourth = x.send("TRANSACTION_START", "ref-4", new JsonObject().put("toolName", "echo"));
      assertThat(relatedId(x.error(ErrorCodes.RUN_LIMIT_EXCEEDED))).isEqualTo(fourth.getString("id"));
      x.send("TRANSACTION_END", txs.get(0), new JsonObject());
      assertThat(x.start("echo", null)).isNotBlank();
    }
  }

  @Test
  void missingToolNameAndUnknownTool() {
    try (HaipTestClient x = client(a)) {
      JsonObject noName = x.send("TRANSACTION_START", "r1", new JsonObject().put("params", new JsonObject()));
      assertThat(relatedId(x.error(ErrorCodes.MISSING_TOOL_NAME))).isEqualTo(noName.getString("id"));
      JsonObject unknown = x.send("TRANSACTION_START", "r2", new JsonObject().put("toolName", "no-such-tool"));
      assertThat(relatedId(x.error(ErrorCodes.TOOL_NOT_FOUND))).isEqualTo(unknown.getString("id"));
      JsonObject schema = x.send("TOOL_SCHEMA", null, new JsonObject().put("name", "no-such-tool"));
      assertThat(relatedId(x.error(ErrorCodes.TOOL_NOT_FOUND))).isEqualTo(schema.getString("id"));
      x.echoRoundTrip("still fine");
    }
  }

  @Test
  void paramsNotMatchingTheInputSchema() {
    JsonArray tools = new JsonArray().add(new JsonObject().put("name", "typed").put("description", "typed tool")
        .put("inputSchema", new JsonObject().put("type", "object").put("required", new JsonArray().add("n"))
            .put("properties", new JsonObject().put("n", new JsonObject().put("type", "integer")))));
    try (HaipTestClient agent = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.agentHai(tools));
         HaipTestClient x = client(a)) {
      eventually(() -> assertThat(x.toolNames()).contains("typed"));
      JsonObject bad = x.send("TRANSACTION_START", "r", new JsonObject().put("toolName", "typed")
          .put("params", new JsonObject().put("n", "three")));
      JsonObject err = x.error(ErrorCodes.INVALID_PAYLOAD);
      assertThat(relatedId(err)).isEqualTo(bad.getString("id"));
      assertThat(err.getJsonObject("payload").getString("message")).contains("params.n");
      assertThat(x.start("typed", new JsonObject().put("n", 3))).isNotBlank();
      agent.next("TRANSACTION_START");
    }
  }

  @Test
  void executionTimeout() {
    long before = errors(a, ErrorCodes.EXECUTION_TIMEOUT);
    try (HaipTestClient x = client(a)) {
      String tx = x.start("echo", null);
      JsonObject err = x.error(ErrorCodes.EXECUTION_TIMEOUT);
      assertThat(err.getString("transaction")).isEqualTo(tx);
      JsonObject end = x.next("TRANSACTION_END");
      assertThat(end.getJsonObject("payload").getString("status")).isEqualTo("FAILED");
      x.send("MESSAGE", tx, "late");
      x.error(ErrorCodes.TRANSACTION_NOT_FOUND);
    }
    assertThat(errors(a, ErrorCodes.EXECUTION_TIMEOUT)).isGreaterThan(before);
  }

  @Test
  void replayBeyondTheWindowIsTooOld() {
    try (HaipTestClient x = client(a)) {
      String tx = x.start("echo", null);
      List<String> seqs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        x.send("MESSAGE", tx, "m" + i);
        seqs.add(x.next(f -> "MESSAGE".equals(f.getString("type")) && ("m" + 0).length() > 0
            && tx.equals(f.getString("transaction"))).getString("seq"));
      }
      JsonObject old = x.send("REPLAY_REQUEST", tx, new JsonObject().put("from_seq", seqs.get(0)));
      assertThat(relatedId(x.error(ErrorCodes.REPLAY_TOO_OLD))).isEqualTo(old.getString("id"));
      x.send("REPLAY_REQUEST", tx, new JsonObject().put("from_seq", seqs.get(4)).put("to_seq", seqs.get(4)));
      assertThat(x.next(f -> "MESSAGE".equals(f.getString("type")) && seqs.get(4).equals(f.getString("seq")))
          .getValue("payload")).isEqualTo("m4");
      JsonObject noTx = x.send("REPLAY_REQUEST", null, new JsonObject().put("from_seq", "1"));
      assertThat(relatedId(x.error(ErrorCodes.TRANSACTION_NOT_FOUND))).isEqualTo(noTx.getString("id"));
    }
  }

  @Test
  void anUnknownRoleIsRefusedAndTheSessionMayShakeHandsAgain() {
    long before = errors(a, ErrorCodes.INVALID_PAYLOAD);
    try (HaipTestClient x = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.clientHai().put("role", "admin"))) {
      JsonObject err = x.error(ErrorCodes.INVALID_PAYLOAD);
      assertThat(err.getJsonObject("payload").getString("message")).contains("role");
      assertThat(errors(a, ErrorCodes.INVALID_PAYLOAD)).isEqualTo(before + 1);
      // not taken for a client: still un-handshaken, so a frame other than HAI is refused as before a handshake
      assertThat(x.isClosed()).isFalse();
      x.send("HAI", null, HaipTestClient.clientHai().put("role", "client"));
      x.echoRoundTrip("a client after all");
    }
  }

  @Test
  void failedAuthCloses1008() {
    long before = errors(b, ErrorCodes.FAILED_AUTH);
    HaipTestClient none = HaipTestClient.connect(vertx, b.httpPort(), "/haip");
    JsonObject hai = none.send("HAI", null, HaipTestClient.clientHai());
    assertThat(relatedId(none.error(ErrorCodes.FAILED_AUTH))).isEqualTo(hai.getString("id"));
    assertThat(none.awaitClose()).isEqualTo((short) 1008);
    HaipTestClient wrong = HaipTestClient.connect(vertx, b.httpPort(), "/haip");
    wrong.send("HAI", null, HaipTestClient.clientHai().put("auth", new JsonObject().put("token", "Bearer nope")));
    wrong.error(ErrorCodes.FAILED_AUTH);
    assertThat(wrong.awaitClose()).isEqualTo((short) 1008);
    try (HaipTestClient ok = HaipTestClient.open(vertx, b.httpPort(),
        HaipTestClient.clientHai().put("auth", new JsonObject().put("token", "Bearer client-secret")))) {
      ok.echoRoundTrip("authenticated");
    }
    assertThat(errors(b, ErrorCodes.FAILED_AUTH)).isEqualTo(before + 2);
  }

  @Test
  void offeringToolsNeedsAnAgentToken() {
    JsonArray tools = new JsonArray().add(new JsonObject().put("name", "claimed").put("description", "d"));
    try (HaipTestClient pretender = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.agentHai(tools)
        .put("auth", new JsonObject().put("token", "client-secret")))) {
      pretender.error(ErrorCodes.UNAUTHORIZED);
      pretender.echoRoundTrip("still a client");
      assertThat(pretender.toolNames()).doesNotContain("claimed");
      try (HaipTestClient agent = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.agentHai(tools)
          .put("auth", new JsonObject().put("token", "agent-secret")))) {
        eventually(() -> assertThat(good.toolNames()).contains("claimed"));
        assertThat(agent.poll(f -> "ERROR".equals(f.getString("type")), 100)).isNull();
      }
    }
  }

  @Test
  void connectionsBeyondTheLimitGet503() {
    eventually(() -> assertThat(c.context().counters().activeConnections()).isZero());
    long refused = c.context().counters().snapshot().getLong("connectionsRefused");
    try (HaipTestClient c1 = client(c); HaipTestClient c2 = client(c); HaipTestClient c3 = client(c)) {
      assertThatThrownBy(() -> Await.await(vertx.createWebSocketClient()
          .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(c.httpPort()).setURI("/haip"))))
          .hasCauseInstanceOf(UpgradeRejectedException.class)
          .satisfies(e -> {
            UpgradeRejectedException u = (UpgradeRejectedException) e.getCause();
            assertThat(u.getStatus()).isEqualTo(503);
            assertThat(u.getBody().toString()).contains("hub.maxConnections");
          });
      c1.echoRoundTrip("inside the limit");
    }
    assertThat(c.context().counters().snapshot().getLong("connectionsRefused")).isEqualTo(refused + 1);
    eventually(() -> assertThat(c.context().counters().activeConnections()).isZero());
    try (HaipTestClient again = client(c)) {
      again.echoRoundTrip("a slot is free again");
    }
  }

  @Test
  void slowConsumerIsClosed1008() throws Exception {
    eventually(() -> assertThat(c.context().counters().activeConnections()).isZero());
    long before = errors(c, ErrorCodes.SLOW_CONSUMER);
    try (HaipTestClient neighbour = client(c); RawWebSocket slow = new RawWebSocket(c.httpPort(), "/haip", 4096)) {
      slow.readUntilType("HAI");
      slow.sendText(HaipTestClient.envelope("s", "HAI", null, HaipTestClient.clientHai()).encode());
      slow.sendText(HaipTestClient.envelope("s", "TRANSACTION_START", "ref", new JsonObject().put("toolName", "echo")).encode());
      String tx = slow.readUntilType("TRANSACTION_START").getString("transaction");
      String pad = "p".repeat(100_000);
      try {
        for (int i = 0; i < 400 && errors(c, ErrorCodes.SLOW_CONSUMER) == before; i++) {
          slow.sendText(HaipTestClient.envelope("s", "MESSAGE", tx, pad).encode());
        }
      } catch (IOException closedByServer) {
        // the server may close while we are still writing
      }
      eventually(() -> assertThat(errors(c, ErrorCodes.SLOW_CONSUMER)).isEqualTo(before + 1));
      neighbour.echoRoundTrip("unaffected by the slow one");
      // Reading now drains what the server queued: the ERROR and the 1008 close come after the echoes.
      JsonObject error = null;
      int closeCode = -1;
      try {
        while (closeCode < 0) {
          RawWebSocket.Frame f = slow.read();
          if (f.opcode() == 8) {
            closeCode = f.closeCode();
          } else if (f.opcode() == 1 && f.payload().length < 2000) {
            JsonObject j = new JsonObject(f.text());
            if ("ERROR".equals(j.getString("type"))) {
              error = j;
            }
          }
        }
      } catch (IOException reset) {
        // a connection reset loses the tail; the counter above already proved the close
      }
      if (closeCode >= 0) {
        assertThat(closeCode).isEqualTo(1008);
        assertThat(error).isNotNull();
        assertThat(error.getJsonObject("payload").getString("code")).isEqualTo(ErrorCodes.SLOW_CONSUMER);
      }
    }
  }
}
