package io.switchboard.hub;

import io.netty.channel.Channel;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.HubEvent;
import io.switchboard.hub.protocol.Envelopes;
import io.switchboard.hub.protocol.Frame;
import io.switchboard.hub.protocol.FrameParser;
import io.switchboard.hub.protocol.IdSniffer;
import io.switchboard.hub.protocol.Ids;
import io.switchboard.hub.protocol.MessageTypes;
import io.switchboard.common.auth.AccessRole;
import io.switchboard.common.auth.Authority;
import io.switchboard.common.auth.Identity;
import io.switchboard.hub.session.HaiCredential;
import io.switchboard.hub.session.FlowCredit;
import io.switchboard.hub.session.MessageSizeGuard;
import io.switchboard.hub.session.PendingHandshakes;
import io.switchboard.hub.session.RateLimiter;
import io.switchboard.hub.session.ReplayWindow;
import io.switchboard.hub.session.Utf8;
import io.switchboard.hub.session.WebSocketGuard;
import io.switchboard.hub.tools.ToolDef;
import io.switchboard.hub.tools.ToolSchema;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HAIP WebSocket session: reassembles and size-checks messages, rate-limits, parses each frame once, enforces
 * the handshake and its deadline, answers control frames and hands transaction frames to {@link Transactions}.
 * Writes go through {@link #send} (per-session seq, replay window, slow-consumer check). Connection-level limits
 * (control-frame budget, frame and inflation limits, pings from a peer that does not read) come from its
 * {@link WebSocketGuard}. All state is touched on the socket's event loop only.
 */
final class HaipSession {
  /** An agent HAI's refused tool schemas: how many are described in its one INVALID_SCHEMA error. */
  private static final int MAX_SCHEMA_PROBLEMS_LISTED = 5;
  final String id = Ids.uuid();
  final ServerWebSocket ws;
  final Context ctx;
  final Hub rt;
  final long connectedAt = System.currentTimeMillis();
  private final long openedNanos = System.nanoTime();
  Role role = Role.CLIENT;
  String platform = "";
  boolean handshaken;
  /** A HAI's credential is being checked: frames meanwhile are held, then handled in order (its loop). */
  private boolean authenticating;
  private final List<Frame> held = new ArrayList<>();
  /** Frames a session may send after its HAI while the credential is checked (a JWKS fetch can take a moment). */
  private static final int MAX_HELD_FRAMES = 64;
  /** Who the session is, once its HAI was accepted (its loop). */
  Identity identity;
  /** The upgrade request's credential, used when the HAI carries none. */
  private final String upgradeCredential;
  boolean closed;
  private boolean closing;
  /** Last inbound frame of any kind (pongs included), ms. */
  long lastFrameMs = connectedAt;
  private long outSeq;
  /** Created with the first message (an idle session holds none of them: docs/architecture.md, "Idle session footprint"). */
  private RateLimiter limiter;
  private FlowCredit credit;
  private MessageSizeGuard sizeGuard;
  private Buffer fragments;
  private boolean fragmentBinary;
  private long fullSinceNanos;
  private long bytesWhileFull;
  private boolean slowReported;
  /** The transactions this session started or serves. */
  final SessionTxs txs = new SessionTxs();
  private List<MessageConsumer<JsonObject>> toolConsumers;
  /** The names of the tools this agent offers (its loop; published with the session's entry). */
  private List<String> toolNames = List.of();
  /** This socket's place among the node's un-handshaken sockets, released at the handshake or the close. */
  private final PendingHandshakes.Slot pending;
  private long handshakeTimer = -1;
  private WebSocketGuard guard;
  /** The session's span from its accepted HAI to its close; null before the handshake. */
  Span span;
  /** The trace the client asked for in its HAI ({@code traceparent}); its transactions join it. Null if none. */
  SpanContext traceParent;

  HaipSession(ServerWebSocket ws, Context ctx, Hub rt, PendingHandshakes.Slot pending) {
    this.ws = ws;
    this.ctx = ctx;
    this.rt = rt;
    this.pending = pending;
    this.upgradeCredential = HaiCredential.ofUpgrade(ws);
  }

  void open(Channel channel) {
    guard = WebSocketGuard.install(channel, rt.settings.controlFrameRate(), rt.settings.slowConsumerGraceMs(), false,
        new GuardListener());
    ws.setWriteQueueMaxSize(rt.settings.writeQueueMaxBytes());
    ws.drainHandler(v -> fullSinceNanos = 0);
    ws.frameHandler(this::onFrame);
    ws.pongHandler(this::onPong);
    ws.exceptionHandler(e -> { });
    ws.closeHandler(v -> onClosed());
    publish();
    rt.counters.connectionOpened(Role.CLIENT.wire);
    rt.events.emit(HubEvent.CONNECT, id, new JsonObject().put("remote", String.valueOf(ws.remoteAddress())));
    HubSettings s = rt.settings;
    if (s.handshakeTimeoutMs() > 0) {
      handshakeTimer = rt.vertx.setTimer(s.handshakeTimeoutMs(), t -> Hub.on(ctx, this::handshakeDeadline));
    }
    JsonObject hai = new JsonObject()
        .put("haip_version", "1.1.2")
        .put("accept_major", new JsonArray().add(1))
        .put("accept_events", MessageTypes.allAsJson())
        .put("capabilities", new JsonObject()
            .put("binary_frames", false)
            .put("flow_control", new JsonObject()
                .put("initial_credit_messages", s.creditMessages())
                .put("initial_credit_bytes", s.creditBytes()))
            .put("max_concurrent_runs", s.maxTransactionsPerSession())
            .put("signed_envelopes", false)
            .put("max_message_bytes", s.maxMessageBytes()));
    send(Envelopes.frame(id, null, "SYSTEM", MessageTypes.HAI, hai), null);
  }

  // ---- inbound ------------------------------------------------------------------------------------------

  /**
   * The session's message rate limit. Made at the first message with a full bucket, as it would hold at that moment
   * had it been made at the open (a bucket refills to full and no further).
   */
  private RateLimiter limiter() {
    if (limiter == null) {
      limiter = new RateLimiter(rt.settings.rateLimit(), rt.settings.rateLimitCloseAfter(), System.nanoTime());
    }
    return limiter;
  }

  private FlowCredit credit() {
    if (credit == null) {
      credit = new FlowCredit(rt.settings.creditMessages());
    }
    return credit;
  }

  private MessageSizeGuard sizeGuard() {
    if (sizeGuard == null) {
      sizeGuard = new MessageSizeGuard(rt.settings.maxMessageBytes());
    }
    return sizeGuard;
  }

  private void onFrame(WebSocketFrame f) {
    lastFrameMs = System.currentTimeMillis();
    if (closing) {
      return;
    }
    switch (f.type()) {
      case TEXT, BINARY -> {
        int len = f.binaryData().length();
        if (!sizeGuard().add(true, len)) {
          tooLarge(f.isText() ? IdSniffer.sniff(f.textData()) : null);
          return;
        }
        if (f.isFinal()) {
          if (f.isText()) {
            String text = f.textData();
            if (Utf8.replaced(text) && !Utf8.valid(f.binaryData())) {
              invalidUtf8();
              return;
            }
            onText(text);
          } else {
            onBinary();
          }
        } else {
          fragments = Buffer.buffer(Math.max(256, len * 2)).appendBuffer(f.binaryData());
          fragmentBinary = f.isBinary();
        }
      }
      case CONTINUATION -> {
        if (fragments == null) {
          return;
        }
        if (!sizeGuard().add(false, f.binaryData().length())) {
          String rid = fragmentBinary ? null : IdSniffer.sniff(fragments.getString(0, Math.min(512, fragments.length())));
          fragments = null;
          tooLarge(rid);
          return;
        }
        fragments.appendBuffer(f.binaryData());
        if (f.isFinal()) {
          Buffer whole = fragments;
          fragments = null;
          if (fragmentBinary) {
            onBinary();
          } else {
            String text = whole.toString();
            if (Utf8.replaced(text) && !Utf8.valid(whole)) {
              invalidUtf8();
              return;
            }
            onText(text);
          }
        }
      }
      default -> { }
    }
  }

  private void tooLarge(String relatedId) {
    rt.counters.frameReceived();
    error(ErrorCodes.MESSAGE_TOO_LARGE, "message larger than " + rt.settings.maxMessageBytes() + " bytes", relatedId, null);
    close((short) 1009, "message too large");
  }

  /** RFC 6455 8.1: a text message that is not UTF-8 fails the connection with 1007. */
  private void invalidUtf8() {
    rt.counters.frameReceived();
    error(ErrorCodes.INVALID_UTF8, "text message is not valid UTF-8", null, null);
    close((short) 1007, "invalid UTF-8");
  }

  private void handshakeDeadline() {
    if (handshaken || closing || closed) {
      return;
    }
    error(ErrorCodes.HANDSHAKE_TIMEOUT, "no accepted HAI within " + rt.settings.handshakeTimeoutMs() + " ms", null, null);
    close((short) 1008, "handshake timeout");
  }

  private void onBinary() {
    rt.counters.frameReceived();
    if (rateLimited(null)) {
      return;
    }
    error(ErrorCodes.PROTOCOL_VIOLATION, "binary frames are not accepted (capabilities.binary_frames is false)", null, null);
  }

  private boolean rateLimited(String text) {
    RateLimiter.Decision d = limiter().acquire(System.nanoTime());
    if (d == RateLimiter.Decision.ALLOW) {
      return false;
    }
    error(ErrorCodes.RATE_LIMITED, "above " + rt.settings.rateLimit() + " messages/s: frame not processed",
        text == null ? null : IdSniffer.sniff(text), null);
    if (d == RateLimiter.Decision.CLOSE) {
      close((short) 1008, "rate limit exceeded");
    }
    return true;
  }

  void onText(String text) {
    long t0 = System.nanoTime();
    rt.counters.frameReceived();
    if (rateLimited(text)) {
      return;
    }
    FrameParser.Result r = FrameParser.parse(text);
    if (!r.ok()) {
      error(r.code(), r.message(), r.relatedId(), null);
      return;
    }
    Frame f = r.frame();
    rt.counters.messageIn();
    boolean wanted = rt.events.perMessageWanted();
    if (wanted) {
      rt.events.emit(HubEvent.MESSAGE, id, new JsonObject().put("messageType", f.type).put("frameId", f.id)
          .put("transaction", f.transaction).put("bytes", f.size));
    } else {
      rt.events.countMessage();
    }
    dispatch(f);
    FlowCredit.Grant g = credit().consumed(MessageTypes.channelIndex(f.channel), f.size);
    if (g != null && !closing) {
      send(Envelopes.frame(id, null, "SYSTEM", MessageTypes.FLOW_UPDATE, new JsonObject()
          .put("channel", MessageTypes.CHANNELS.get(g.channel())).put("add_messages", g.messages())
          .put("add_bytes", g.bytes())), null);
    }
    long took = System.nanoTime() - t0;
    rt.counters.recordMessageLatencyNanos(took);
    if (wanted) {
      rt.events.emit(HubEvent.MESSAGE_PROCESSED, id, new JsonObject().put("messageType", f.type).put("frameId", f.id)
          .put("durationMs", took / 1_000_000.0));
    } else {
      rt.events.countMessageProcessed();
    }
  }

  private void dispatch(Frame f) {
    if (authenticating) {
      if (held.size() >= MAX_HELD_FRAMES) {
        error(ErrorCodes.PROTOCOL_VIOLATION, "more than " + MAX_HELD_FRAMES
            + " frames while the HAI's credential is checked: frame not processed", f.id, f.transaction);
      } else {
        held.add(f);
      }
      return;
    }
    if (!handshaken) {
      if (MessageTypes.HAI.equals(f.type)) {
        handshake(f);
      } else {
        error(ErrorCodes.PROTOCOL_VIOLATION, "the first frame must be HAI", f.id, f.transaction);
        close((short) 1008, "handshake required");
      }
      return;
    }
    switch (f.type) {
      case MessageTypes.HAI -> error(ErrorCodes.PROTOCOL_VIOLATION, "handshake already done", f.id, f.transaction);
      case MessageTypes.PING -> {
        JsonObject p = f.payloadObject();
        JsonObject pong = new JsonObject().put("nonce", p == null ? null : p.getValue("nonce"));
        send(Envelopes.frame(id, f.transaction, "SYSTEM", MessageTypes.PONG, pong), null);
      }
      case MessageTypes.PONG, MessageTypes.FLOW_UPDATE -> { }
      case MessageTypes.TOOL_LIST -> {
        JsonArray tools = new JsonArray();
        for (ToolDef t : rt.directory.tools()) {
          if (identity.mayCall(t.name())) {
            tools.add(t.summaryJson());
          }
        }
        send(Envelopes.frame(id, f.transaction, "SYSTEM", MessageTypes.TOOL_LIST, new JsonObject().put("tools", tools)), null);
      }
      case MessageTypes.TOOL_SCHEMA -> toolSchema(f);
      case MessageTypes.TRANSACTION_START -> rt.tx.start(this, f);
      case MessageTypes.TRANSACTION_END -> rt.tx.end(this, f);
      case MessageTypes.TRANSACTION_JOIN -> rt.tx.join(this, f);
      case MessageTypes.REPLAY_REQUEST -> rt.tx.replay(this, f);
      case MessageTypes.ERROR -> rt.tx.error(this, f);
      default -> {
        if (f.transaction != null) {
          rt.tx.relay(this, f);
        } else if (MessageTypes.MESSAGE.equals(f.type) || MessageTypes.AUDIO.equals(f.type)) {
          error(ErrorCodes.TRANSACTION_NOT_FOUND, f.type + " must name a transaction of this session", f.id, null);
        }
      }
    }
  }

  private void toolSchema(Frame f) {
    JsonObject p = f.payloadObject();
    Object name = p == null ? null : firstNonNull(p.getValue("name"), p.getValue("toolName"), p.getValue("tool"));
    if (!(name instanceof String n) || n.isEmpty()) {
      error(ErrorCodes.MISSING_TOOL_NAME, "TOOL_SCHEMA needs payload.name", f.id, f.transaction);
      return;
    }
    if (!identity.mayCall(n)) {
      error(ErrorCodes.UNAUTHORIZED, "tool " + clip(n) + " is not one the credential may call", f.id, f.transaction);
      return;
    }
    ToolDef t = rt.directory.find(n);
    if (t == null) {
      error(ErrorCodes.TOOL_NOT_FOUND, "no tool named " + clip(n) + " in the cluster", f.id, f.transaction);
      return;
    }
    send(Envelopes.frame(id, f.transaction, "SYSTEM", MessageTypes.TOOL_SCHEMA, new JsonObject().put("schema", t.toJson())), null);
  }

  private static Object firstNonNull(Object... values) {
    for (Object v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private void handshake(Frame f) {
    JsonObject p = f.payloadObject();
    if (p == null) {
      error(ErrorCodes.INVALID_MESSAGE, "HAI payload must be an object", f.id, null);
      return;
    }
    Role asked = Role.ofHai(p.getValue("role"));
    if (asked == null) {
      error(ErrorCodes.INVALID_PAYLOAD, "role must be \"client\" or \"agent\" (or absent, for a client)", f.id, null);
      return;
    }
    String credential = HaiCredential.of(p.getValue("auth"));
    Future<Authority.Outcome> checked = rt.auth.authenticate(credential != null ? credential : upgradeCredential);
    if (checked.isComplete()) {
      authenticated(f, p, asked, checked.result());
      return;
    }
    authenticating = true;
    checked.onComplete(ar -> Hub.on(ctx, () -> {
      authenticating = false;
      if (!closing && !closed) {
        authenticated(f, p, asked, ar.succeeded() ? ar.result() : null);
      }
      List<Frame> waiting = List.copyOf(held);
      held.clear();
      for (Frame h : waiting) {
        if (!closing && !closed) {
          dispatch(h);
        }
      }
    }));
  }

  /** The HAI's credential was checked: refuse (FAILED_AUTH, close 1008) or accept with the role asked for. */
  private void authenticated(Frame f, JsonObject p, Role asked, Authority.Outcome o) {
    if (o == null || !o.ok()) {
      error(ErrorCodes.FAILED_AUTH, "authentication failed: "
          + (o == null ? "the credential could not be checked" : o.refusal().describe()), f.id, null);
      close((short) 1008, "authentication failed");
      return;
    }
    Identity who = o.identity();
    if (!who.has(AccessRole.CLIENT) && !who.has(AccessRole.AGENT)) {
      error(ErrorCodes.FAILED_AUTH, "authentication failed: the credential grants neither the client nor the agent role",
          f.id, null);
      close((short) 1008, "authentication failed");
      return;
    }
    identity = who;
    handshaken = true;
    handshakeSettled();
    if (p.getValue("platform") instanceof String pl) {
      platform = pl.length() > 64 ? pl.substring(0, 64) : pl;
    }
    traceParent = rt.spans.clientParent(p);
    if (asked == Role.AGENT) {
      if (!who.has(AccessRole.AGENT)) {
        error(ErrorCodes.UNAUTHORIZED, "offering tools needs the agent role (an agent token, or a JWT with role agent)",
            f.id, null);
      } else {
        becomeAgent(p.getValue("tools"), f.id);
      }
    }
    publish();
    span = rt.spans.session(this, traceParent, connectedAt);
    rt.events.emit(HubEvent.HANDSHAKE, id, new JsonObject().put("role", role.wire).put("platform", platform));
  }

  private void becomeAgent(Object toolsValue, String frameId) {
    Map<String, ToolDef> tools = new LinkedHashMap<>();
    List<String> refused = new ArrayList<>();
    List<String> badSchemas = new ArrayList<>();
    List<String> forbidden = new ArrayList<>();
    List<String> takenOver = new ArrayList<>();
    int badSchemaCount = 0;
    if (toolsValue instanceof JsonArray arr) {
      for (Object o : arr) {
        ToolDef t;
        try {
          t = tools.size() >= HubSettings.MAX_TOOLS_PER_AGENT ? null : ToolDef.fromJson(o);
        } catch (ToolSchema.Invalid e) {
          if (++badSchemaCount <= MAX_SCHEMA_PROBLEMS_LISTED) {
            String n = o instanceof JsonObject jo && jo.getValue("name") instanceof String s ? clip(s) : "#" + badSchemaCount;
            badSchemas.add(n + ": " + e.getMessage());
          }
          continue;
        }
        if (t == null || ToolDef.ECHO.equals(t.name())) {
          refused.add(o instanceof JsonObject jo && jo.getValue("name") instanceof String n ? clip(n) : "#" + refused.size());
        } else if (!identity.mayOffer(t.name())) {
          forbidden.add(clip(t.name()));
        } else if (!rt.auth.settings().allowToolTakeover() && takenByOther(t.name())) {
          takenOver.add(clip(t.name()));
        } else {
          tools.putIfAbsent(t.name(), t);
        }
      }
    } else if (toolsValue != null) {
      refused.add("tools must be an array");
    }
    if (!refused.isEmpty()) {
      error(ErrorCodes.INVALID_PAYLOAD, "tools refused (name [A-Za-z0-9_.:-]{1,128}, not echo, at most "
          + HubSettings.MAX_TOOLS_PER_AGENT + "): " + String.join(", ", refused), frameId, null);
    }
    if (!forbidden.isEmpty()) {
      error(ErrorCodes.UNAUTHORIZED, "offering tools " + String.join(", ", forbidden)
          + " is not permitted by the credential", frameId, null);
    }
    if (!takenOver.isEmpty()) {
      error(ErrorCodes.UNAUTHORIZED, "tools " + String.join(", ", takenOver)
          + " are offered by an agent of another identity (auth.allowToolTakeover is false)", frameId, null);
    }
    if (badSchemaCount > 0) {
      String more = badSchemaCount > badSchemas.size() ? "; and " + (badSchemaCount - badSchemas.size()) + " more" : "";
      error(ErrorCodes.INVALID_SCHEMA, "tools refused for their inputSchema: " + String.join("; ", badSchemas) + more,
          frameId, null);
    }
    rt.counters.roleChanged(Role.CLIENT.wire, Role.AGENT.wire);
    role = Role.AGENT;
    if (tools.isEmpty()) {
      return;
    }
    toolConsumers = new ArrayList<>();
    List<Future<Void>> ready = new ArrayList<>();
    for (ToolDef t : tools.values()) {
      MessageConsumer<JsonObject> c = rt.bus.consumer(Addresses.tool(t.name()), m -> rt.tx.providers.take(this, m));
      toolConsumers.add(c);
      ready.add(c.completion());
    }
    List<ToolDef> offered = List.copyOf(tools.values());
    toolNames = List.copyOf(tools.keySet());
    Future.join(ready).onComplete(ar -> {
      if (!closed) {
        rt.offers.offer(id, identity.subject(), offered);
      }
    });
  }

  /** Whether an agent of another identity offers {@code tool} somewhere in the cluster. */
  private boolean takenByOther(String tool) {
    for (String subject : rt.directory.owners(tool)) {
      if (!subject.equals(identity.subject())) {
        return true;
      }
    }
    return false;
  }

  /** The handshake is over (accepted, or the socket closed): the pending slot and the deadline go. */
  private void handshakeSettled() {
    if (pending != null) {
      pending.release();
    }
    if (handshakeTimer >= 0) {
      rt.vertx.cancelTimer(handshakeTimer);
      handshakeTimer = -1;
    }
  }

  private void onPong(Buffer b) {
    lastFrameMs = System.currentTimeMillis();
    if (b.length() == 8) {
      long rtt = System.nanoTime() - b.getLong(0);
      if (rtt > 0 && rtt < 3_600_000_000_000L) {
        rt.counters.recordHeartbeatRttNanos(rtt);
      }
    }
  }

  /** Liveness tick (on this session's event loop): close when silent too long, else a WebSocket ping. */
  void heartbeat(long nowMs) {
    if (closed || closing) {
      return;
    }
    if (nowMs - lastFrameMs > rt.settings.idleTimeoutMs()) {
      rt.counters.error(ErrorCodes.IDLE_TIMEOUT);
      rt.events.emit(HubEvent.ERROR, id, new JsonObject().put("code", ErrorCodes.IDLE_TIMEOUT));
      close((short) 1001, "idle timeout");
      return;
    }
    ws.writePing(Buffer.buffer(8).appendLong(System.nanoTime()));
  }

  // ---- outbound -----------------------------------------------------------------------------------------

  /** Writes a frame with this session's next seq; keeps it in {@code replay} when given. */
  void send(JsonObject frame, ReplayWindow replay) {
    if (closed) {
      return;
    }
    long seq = ++outSeq;
    frame.put("seq", Long.toString(seq));
    write(seq, frame.encode(), replay);
  }

  /**
   * Writes a frame of this session, with its next seq, around a payload that is already JSON text (an echo writes
   * the client's payload as it came); keeps it in {@code replay} when given. Returns the new frame's id.
   */
  String send(String transaction, String channel, String type, String payloadJson, ReplayWindow replay) {
    String frameId = Ids.uuid();
    if (!closed) {
      long seq = ++outSeq;
      write(seq, Envelopes.text(frameId, id, transaction, seq, System.currentTimeMillis(), channel, type, payloadJson),
          replay);
    }
    return frameId;
  }

  /**
   * Writes a frame forwarded from the other side of a transaction ({@link TxRouting#forward}): its members as its
   * sender wrote them, with this session's id and next seq.
   */
  void forward(JsonObject body, ReplayWindow replay) {
    String members = body.getString(TxRouting.MEMBERS);
    if (members == null) {
      // a whole frame, as a node that forwards decoded frames sends it
      send(body.put("session", id), replay);
      return;
    }
    if (closed) {
      return;
    }
    long seq = ++outSeq;
    write(seq, Envelopes.forwarded(id, seq, members), replay);
  }

  /** Encodes the frame's text to UTF-8 once, for the replay window and the socket. */
  private void write(long seq, String text, ReplayWindow replay) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (replay != null) {
      replay.add(seq, utf8, System.currentTimeMillis());
    }
    writeUtf8(text, utf8);
  }

  /** Writes already-encoded text (replays) and counts it. */
  void writeText(String text) {
    writeUtf8(text, null);
  }

  /**
   * Writes a text message and counts it: from {@code utf8} as one frame when given and no larger than a frame Vert.x
   * writes whole (the default frame size, and the node's, twice hub.maxMessageBytes), else from the text.
   */
  private void writeUtf8(String text, byte[] utf8) {
    // A socket the peer (or a drain) already closed may not have run onClosed yet: nothing can reach it, so
    // nothing is written or counted (Vert.x would refuse the write with "WebSocket is closed").
    if (closed || ws.isClosed()) {
      return;
    }
    try {
      if (utf8 != null && utf8.length <= HttpServerOptions.DEFAULT_MAX_WEBSOCKET_FRAME_SIZE
          && utf8.length <= 2L * rt.settings.maxMessageBytes()) {
        ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true));
      } else {
        ws.writeTextMessage(text);
      }
    } catch (IllegalStateException e) {
      return;
    }
    rt.counters.messageOut();
    if (ws.writeQueueFull()) {
      queueFull(text.length());
    }
  }

  private void queueFull(int len) {
    long now = System.nanoTime();
    if (fullSinceNanos == 0) {
      fullSinceNanos = now;
      bytesWhileFull = 0;
      long since = now;
      rt.vertx.setTimer(Math.max(1, rt.settings.slowConsumerGraceMs()), t -> Hub.on(ctx, () -> {
        if (fullSinceNanos != since) {
          return;
        }
        if (closed || ws.isClosed() || ws.writeQueueFull() || !guard.writable()) {
          slowConsumer();
        } else {
          fullSinceNanos = 0;
        }
      }));
    }
    bytesWhileFull += len;
    // Hard bound while full: a few queue sizes plus one largest message, then no grace.
    if (bytesWhileFull > 4L * rt.settings.writeQueueMaxBytes() + rt.settings.maxMessageBytes()) {
      slowConsumer();
    }
  }

  private void slowConsumer() {
    if (slowReported || closing || closed) {
      return;
    }
    slowReported = true;
    error(ErrorCodes.SLOW_CONSUMER, "write queue full for too long", null, null);
    close((short) 1008, "slow consumer");
  }

  void error(String code, String message, String relatedId, String transaction) {
    rt.counters.error(code);
    rt.events.emit(HubEvent.ERROR, id, new JsonObject().put("code", code).put("message", message)
        .put("related_id", relatedId));
    send(Envelopes.frame(id, transaction, "SYSTEM", MessageTypes.ERROR, Envelopes.errorPayload(code, message, relatedId)), null);
  }

  void close(short code, String reason) {
    if (closing || closed) {
      return;
    }
    closing = true;
    ws.close(code, reason);
    guard.dropAfter(rt.settings.closeTimeoutMs());
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    handshakeSettled();
    rt.admission.left();
    rt.counters.connectionClosed(role.wire, (System.nanoTime() - openedNanos) / 1_000_000);
    if (toolConsumers != null) {
      toolConsumers.forEach(MessageConsumer::unregister);
      rt.offers.withdraw(id);
    }
    rt.tx.loss.sessionClosed(this);
    // last: a drain that waits for this session to go sees it gone only once its transactions' ends are on their way
    rt.sessions.remove(id);
    rt.events.emit(HubEvent.DISCONNECT, id, new JsonObject().put("role", role.wire)
        .put("closeCode", ws.closeStatusCode() == null ? null : (int) ws.closeStatusCode()));
    if (span != null) {
      rt.spans.sessionClosed(span, ws.closeStatusCode());
    }
  }

  /** Publishes what other contexts may know of this session (its loop; docs/architecture.md, "Threading rule"). */
  private void publish() {
    rt.sessions.publish(new SessionRegistry.Entry(this, role, handshaken, platform, connectedAt, toolNames));
  }

  boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  /** What this session does when its {@link WebSocketGuard} trips (called from Netty; acts on the session's context). */
  private final class GuardListener implements WebSocketGuard.Listener {
    @Override
    public void controlFlood() {
      Hub.on(ctx, () -> {
        error(ErrorCodes.CONTROL_FRAME_FLOOD, "more than " + rt.settings.controlFrameRate()
            + " ping, pong or close frames per second", null, null);
        close((short) 1008, "control frame flood");
      });
    }

    @Override
    public void notReading() {
      Hub.on(ctx, HaipSession.this::slowConsumer);
    }

    @Override
    public void tooLarge() {
      Hub.on(ctx, () -> HaipSession.this.tooLarge(null));
    }

    @Override
    public void invalidUtf8() {
      Hub.on(ctx, HaipSession.this::invalidUtf8);
    }

    @Override
    public void protocolError() {
      Hub.on(ctx, () -> {
        error(ErrorCodes.WEBSOCKET_PROTOCOL_ERROR, "broken WebSocket frame", null, null);
        close((short) 1002, "protocol error");
      });
    }
  }
}
