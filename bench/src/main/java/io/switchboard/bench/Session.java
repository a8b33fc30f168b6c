package io.switchboard.bench;

import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * One HAIP session of the generator, driven by its worker's event loop.
 * <ul>
 *   <li>CLIENT: handshake, TRANSACTION_START on the tool, then MESSAGE frames timed until their echo;</li>
 *   <li>DRIVER: a CLIENT whose send times are shared with the monitor subscribers;</li>
 *   <li>IDLE: handshake, confirmed by a PING/PONG, then nothing;</li>
 *   <li>AGENT: HAI with {@code role:"agent"} offering the tool; answers every MESSAGE with the same payload.</li>
 * </ul>
 * Frames in flight are answered in order (one socket, one transaction), so the oldest send time belongs to the
 * next echo: no id bookkeeping per message.
 */
final class Session {
  enum Role { CLIENT, DRIVER, IDLE, AGENT }

  enum State { CONNECTING, HANDSHAKE, STARTING, READY, CLOSED, FAILED }

  private static final long TOOL_RETRY_MS = 200;
  private static final long TOOL_RETRY_DEADLINE_MS = 20_000;

  final Worker w;
  final Role role;
  final String ref;
  State state = State.CONNECTING;
  private ClientWebSocket ws;
  private boolean connected;
  private String session = "pending";
  String transaction;
  /** Round trips in the current transaction (--messages-per-transaction). */
  private int inTransaction;
  /** Whether this session was counted ready once (a later transaction start does not count it again). */
  private boolean counted;
  private long seq;
  private long firstStartAt;
  // FIFO of send times (nanoTime) of frames in flight
  private long[] fifo = new long[4];
  private int head;
  private int size;

  Session(Worker w, Role role, String ref) {
    this.w = w;
    this.role = role;
    this.ref = ref;
  }

  boolean ready() {
    return state == State.READY;
  }

  int inFlight() {
    return size;
  }

  void open(URI url) {
    w.pendingConnects++;
    ws = w.nextClient().webSocket();
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> onClose());
    ws.exceptionHandler(e -> { });
    WebSocketConnectOptions o = new WebSocketConnectOptions()
        .setHost(url.getHost())
        .setPort(url.getPort() < 0 ? 80 : url.getPort())
        .setURI(url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
        .setTimeout(30_000);
    ws.connect(o).onComplete(ar -> {
      w.pendingConnects--;
      if (ar.failed()) {
        fail(connectCode(ar.cause()));
      } else {
        connected = true;
        if (state == State.CONNECTING) {
          state = State.HANDSHAKE;
        }
      }
    });
  }

  static String connectCode(Throwable t) {
    String m = String.valueOf(t.getMessage());
    if (m.contains("503")) {
      return "CONNECT_REFUSED_503";
    }
    if (m.contains("404")) {
      return "CONNECT_404";
    }
    if (m.contains("503")) {
      return "CONNECT_REFUSED_503";
    }
    if (m.contains("Too many open files")) {
      return "CONNECT_EMFILE";
    }
    if (m.contains("Cannot assign requested address")) {
      return "CONNECT_NO_PORT";
    }
    if (m.toLowerCase().contains("timed out") || m.toLowerCase().contains("timeout")) {
      return "CONNECT_TIMEOUT";
    }
    if (m.contains("refused")) {
      return "CONNECT_REFUSED";
    }
    return "CONNECT_FAILED";
  }

  private void fail(String code) {
    if (state != State.FAILED && state != State.CLOSED) {
      w.stats.error(code);
      if (role == Role.AGENT) {
        // counted among agents below
      } else {
        w.stats.sessionsFailed++;
      }
      state = State.FAILED;
    }
    if (connected && !ws.isClosed()) {
      ws.close();
    }
  }

  private void onClose() {
    if (state == State.READY) {
      w.stats.sessionsClosedEarly++;
      if (w.phase != Worker.Phase.DONE) {
        w.stats.error("CLOSED_BY_SERVER");
      }
    } else if (state != State.FAILED && state != State.CLOSED) {
      w.stats.error("CLOSED_IN_HANDSHAKE");
      if (role != Role.AGENT) {
        w.stats.sessionsFailed++;
      }
    }
    state = State.CLOSED;
  }

  void close() {
    if (connected && !ws.isClosed()) {
      State s = state;
      state = State.CLOSED;
      if (s == State.READY || s == State.HANDSHAKE || s == State.STARTING) {
        ws.close((short) 1000, "bench done");
      }
    }
  }

  private void write(JsonObject frame) {
    ws.writeTextMessage(frame.encode());
  }

  private void onText(String text) {
    long now = System.nanoTime();
    String type = Haip.sniffType(text);
    if ("MESSAGE".equals(type)) {
      onMessage(text, now, null);
      return;
    }
    JsonObject f;
    try {
      f = new JsonObject(text);
    } catch (RuntimeException e) {
      w.stats.error("CLIENT_BAD_JSON");
      return;
    }
    type = f.getString("type", "");
    switch (type) {
      case "HAI" -> onServerHai(f);
      case "TRANSACTION_START" -> onTransactionStart(f);
      case "MESSAGE" -> onMessage(text, now, f);
      case "PING" -> {
        Object p = f.getValue("payload");
        JsonObject pong = p instanceof JsonObject o ? o.copy() : new JsonObject().put("nonce", "bench");
        write(Haip.envelope(ref + "-pong-" + (++seq), session, null, seq, "SYSTEM", "PONG", pong));
      }
      case "PONG" -> {
        if (state == State.HANDSHAKE && (role == Role.IDLE || role == Role.AGENT)) {
          becomeReady();
        }
      }
      case "ERROR" -> onError(f);
      default -> { } // FLOW_UPDATE, INFO, TRANSACTION_END...: nothing to do
    }
  }

  private void onServerHai(JsonObject f) {
    if (state != State.HANDSHAKE && state != State.CONNECTING) {
      return;
    }
    connected = true;
    state = State.HANDSHAKE;
    session = f.getString("session", "pending");
    write(Haip.hai(ref + "-hai", session, ++seq, role == Role.AGENT ? w.opt.tool : null));
    if (role == Role.IDLE || role == Role.AGENT) {
      write(Haip.envelope(ref + "-ping", session, null, ++seq, "SYSTEM", "PING", new JsonObject().put("nonce", ref)));
    } else {
      firstStartAt = System.currentTimeMillis();
      startTransaction();
    }
  }

  private void startTransaction() {
    state = State.STARTING;
    write(Haip.transactionStart(ref + "-start-" + (++seq), session, seq, ref, w.opt.tool));
  }

  private void onTransactionStart(JsonObject f) {
    JsonObject p = f.getJsonObject("payload");
    if (role == Role.AGENT) {
      return; // the hub hands us a transaction: MESSAGE frames follow
    }
    if (state != State.STARTING || p == null || !ref.equals(p.getString("referenceId"))) {
      return;
    }
    transaction = f.getString("transaction");
    if (role == Role.DRIVER) {
      w.shared.executionId = transaction;
    }
    becomeReady();
  }

  private void becomeReady() {
    boolean again = counted;
    counted = true;
    state = State.READY;
    if (again) {
      // a new transaction of a session already counted (--messages-per-transaction): the loop goes on
      if (w.sending(System.nanoTime())) {
        send(System.nanoTime());
      }
      return;
    }
    if (role == Role.AGENT) {
      w.stats.agentsReady++;
    } else {
      w.stats.sessionsReady++;
    }
    if ((role == Role.CLIENT) && w.opt.rate <= 0 && w.sending(System.nanoTime())) {
      send(System.nanoTime());
    }
  }

  /** Closed loop: send now if the run is sending; called by the coordinator when warm-up starts. */
  void kick() {
    if (state == State.READY && size == 0 && role == Role.CLIENT && w.opt.rate <= 0) {
      send(System.nanoTime());
    }
  }

  void send(long sendNanos) {
    long n = ++seq;
    String id = role == Role.DRIVER ? "bmon-" + n : ref + "-" + n;
    if (role == Role.DRIVER) {
      w.shared.driverSent(n, sendNanos);
      if (w.recording(sendNanos)) {
        w.stats.driverSentInWindow++;
      }
    }
    push(sendNanos);
    w.stats.sent++;
    ws.writeTextMessage(Haip.message(id, session, transaction, n, "USER", w.payload));
  }

  private void onMessage(String text, long now, JsonObject parsed) {
    if (role == Role.AGENT) {
      JsonObject f = parsed != null ? parsed : new JsonObject(text);
      long n = ++seq;
      JsonObject reply = Haip.envelope(ref + "-r" + n, session, f.getString("transaction"), n, "AGENT", "MESSAGE",
          f.getValue("payload"));
      ws.writeTextMessage(reply.encode());
      w.stats.agentReplies++;
      return;
    }
    if (size == 0) {
      w.stats.error("UNEXPECTED_MESSAGE");
      return;
    }
    long sent = pop();
    w.roundTrip(sent, now);
    if (w.opt.messagesPerTransaction > 0 && role == Role.CLIENT && ++inTransaction >= w.opt.messagesPerTransaction) {
      inTransaction = 0;
      write(Haip.transactionEnd(ref + "-end-" + (++seq), session, seq, transaction));
      startTransaction();
      return;
    }
    if (w.opt.rate <= 0 && role == Role.CLIENT && w.sending(now)) {
      send(now);
    }
  }

  private void onError(JsonObject f) {
    JsonObject p = f.getJsonObject("payload", new JsonObject());
    String code = p.getString("code", "ERROR");
    if (state == State.STARTING && ("TOOL_NOT_FOUND".equals(code))
        && System.currentTimeMillis() - firstStartAt < TOOL_RETRY_DEADLINE_MS) {
      // the agent's tool may not have reached this node's directory yet
      w.ctx.owner().setTimer(TOOL_RETRY_MS, t -> {
        if (state == State.STARTING) {
          startTransaction();
        }
      });
      return;
    }
    if (state == State.STARTING || state == State.HANDSHAKE) {
      fail("HANDSHAKE_" + code);
      return;
    }
    w.stats.error(code);
    if (size > 0 && state == State.READY && role != Role.AGENT) {
      // a refused MESSAGE (e.g. RATE_LIMITED) will get no echo: release its slot
      pop();
      if (w.opt.rate <= 0 && role == Role.CLIENT && w.sending(System.nanoTime())) {
        send(System.nanoTime());
      }
    }
  }

  private void push(long v) {
    if (size == fifo.length) {
      long[] n = new long[fifo.length * 2];
      for (int i = 0; i < size; i++) {
        n[i] = fifo[(head + i) % fifo.length];
      }
      fifo = n;
      head = 0;
    }
    fifo[(head + size) % fifo.length] = v;
    size++;
  }

  private long pop() {
    long v = fifo[head];
    head = (head + 1) % fifo.length;
    size--;
    return v;
  }
}
