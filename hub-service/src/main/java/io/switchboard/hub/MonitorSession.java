package io.switchboard.hub;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.switchboard.common.Addresses;
import io.switchboard.common.auth.Identity;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.MonitorFrame;
import io.switchboard.hub.session.MessageSizeGuard;
import io.switchboard.hub.session.PendingHandshakes;
import io.switchboard.hub.session.RateLimiter;
import io.switchboard.hub.session.WebSocketGuard;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One monitor stream socket on /ws: {@code {type:"subscribe"|"unsubscribe", executionId}} or {@code {..., topic}}.
 * Relays hand it frames with {@link #deliver}, which writes them on the socket's own loop; the write queue is bounded
 * (a socket whose queue stays full for hub.slowConsumerGrace is closed 1008). Its first request (subscribe or unsubscribe) counts as
 * its handshake: until then it holds a pending-handshake slot, and without one within hub.handshakeTimeout it is
 * closed 1008. Connection-level limits (control frames, frame size, UTF-8) come from its {@link WebSocketGuard}.
 *
 * <p>Requests are rate-limited (hub.monitor.subscribeRate: beyond it the error RATE_LIMITED, the request is not
 * processed; hub.monitor.subscribeRateCloseAfter refusals within a second close 1008), and a socket watches at most
 * hub.monitor.maxSubscriptions executions (beyond it the error SUBSCRIPTION_LIMIT). All its state is touched on the
 * socket's event loop only; its subscriptions are requests to {@link Monitors}, which runs them on its own context.
 */
final class MonitorSession implements FanoutQueue.Socket {
  /** The pipeline handler that tells the session its channel has room again. */
  private static final String WRITABILITY = "switchboardMonitorWritability";
  private static final List<String> TOPICS = List.of(MonitorFrame.TOPIC_EVENTS, MonitorFrame.TOPIC_STATS,
      MonitorFrame.TOPIC_ALERTS, MonitorFrame.TOPIC_HEALTH);
  private final ServerWebSocket ws;
  final Context ctx;
  private final Hub rt;
  private final long openedNanos = System.nanoTime();
  /** Executions this socket watches; its event loop only. */
  private Set<String> executions = new HashSet<>();
  private final RateLimiter limiter;
  /** Topics this socket subscribed to; its event loop only. */
  private final Set<String> topics = new HashSet<>();
  private long lastFrameMs = System.currentTimeMillis();
  private long fullSince;
  /** Frames waiting while the write queue is full, oldest first (its event loop only); null while it keeps up. */
  private ArrayDeque<SharedFrame> held;
  /** The bytes of {@link #held}. */
  private long heldBytes;
  private boolean closed;
  /** A flood close was started (event loop only): later requests are dropped unanswered. */
  private boolean floodClosing;
  private boolean closing;
  private final PendingHandshakes.Slot pending;
  private final MessageSizeGuard sizeGuard;
  private long handshakeTimer = -1;
  /** The first request came (or the socket closed): no more handshake deadline or pending slot. */
  private boolean settled;
  private WebSocketGuard guard;
  /** Who the socket is (its upgrade's credential): which executions and events it may see. */
  final Identity identity;
  /** {@code identity.watchesAll()}, asked once: relays test it for every socket and frame. */
  final boolean watchesAll;
  /** Where the monitor verticle's context hands this socket its frames: its event loop's queue. */
  final FanoutQueue outbox;
  /** The pipeline's place of the WebSocket frame encoder: frames written here are already WebSocket frames. */
  private ChannelHandlerContext encoder;

  MonitorSession(ServerWebSocket ws, Context ctx, Hub rt, PendingHandshakes.Slot pending, Identity identity) {
    this.identity = identity;
    this.watchesAll = identity.watchesAll();
    this.ws = ws;
    this.ctx = ctx;
    this.rt = rt;
    this.limiter = new RateLimiter(rt.settings.monitorSubscribeRate(), rt.settings.monitorSubscribeRateCloseAfter(), openedNanos);
    this.pending = pending;
    this.sizeGuard = new MessageSizeGuard(rt.settings.maxMessageBytes());
    this.outbox = rt.monitors.outboxOf(ctx);
  }

  void open(Channel channel) {
    guard = WebSocketGuard.install(channel, rt.settings.controlFrameRate(), rt.settings.slowConsumerGraceMs(), true,
        new GuardListener());
    // a socket that negotiated compression gets each frame compressed for it, through the WebSocket
    encoder = channel == null || channel.pipeline().get(WebSocketExtensionEncoder.class) != null ? null
        : channel.pipeline().context(WebSocketFrameEncoder.class);
    if (encoder != null) {
      // frames written at the encoder's place bypass the WebSocket's queue: the channel says when it has room again
      channel.pipeline().addBefore("handler", WRITABILITY, new ChannelInboundHandlerAdapter() {
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext c) {
          if (c.channel().isWritable()) {
            drained();
          }
          c.fireChannelWritabilityChanged();
        }
      });
    }
    ws.setWriteQueueMaxSize(rt.settings.writeQueueMaxBytes());
    ws.drainHandler(v -> drained());
    ws.frameHandler(this::onFrame);
    ws.pongHandler(b -> {
      lastFrameMs = System.currentTimeMillis();
      if (b.length() == 8) {
        rt.counters.recordHeartbeatRttNanos(Math.max(1, System.nanoTime() - b.getLong(0)));
      }
    });
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> {
      if (!closed && !floodClosing && !rateLimited()) {
        reply(MonitorFrame.error("INVALID_REQUEST", "send JSON text frames"));
      }
    });
    ws.exceptionHandler(e -> { });
    ws.closeHandler(v -> onClosed());
    rt.monitors.opened(this);
    rt.counters.connectionOpened("monitor");
    if (rt.settings.handshakeTimeoutMs() > 0) {
      handshakeTimer = rt.vertx.setTimer(rt.settings.handshakeTimeoutMs(), t -> Hub.on(ctx, () -> {
        handshakeTimer = -1;
        if (!closing && !closed && !settled) {
          fail(ErrorCodes.HANDSHAKE_TIMEOUT, "no subscribe or unsubscribe within " + rt.settings.handshakeTimeoutMs() + " ms",
              (short) 1008, "handshake timeout");
        }
      }));
    }
  }

  /** The first request arrived (or the socket closed): the pending slot and the deadline go. */
  private void settle() {
    if (settled) {
      return;
    }
    settled = true;
    if (pending != null) {
      pending.release();
    }
    if (handshakeTimer >= 0) {
      rt.vertx.cancelTimer(handshakeTimer);
      handshakeTimer = -1;
    }
  }

  /** Counts every frame's arrival and the size of the message being reassembled (hub.maxMessageBytes). */
  private void onFrame(WebSocketFrame f) {
    lastFrameMs = System.currentTimeMillis();
    switch (f.type()) {
      case TEXT, BINARY, CONTINUATION -> {
        if (!sizeGuard.add(f.type() != WebSocketFrameType.CONTINUATION, f.binaryData().length())) {
          tooLarge();
        }
      }
      default -> { }
    }
  }

  private void tooLarge() {
    fail(ErrorCodes.MESSAGE_TOO_LARGE, "message larger than " + rt.settings.maxMessageBytes() + " bytes",
        (short) 1009, "message too large");
  }

  /** Counts {@code code}, tells the client with an ERROR frame and closes with {@code closeCode}; once. */
  private void fail(String code, String message, short closeCode, String reason) {
    if (closing || closed) {
      return;
    }
    rt.counters.error(code);
    reply(MonitorFrame.error(code, message));
    close(closeCode, reason);
  }

  /** Hands the subscription set over at the close: the socket watches nothing from now on. */
  private Set<String> takeExecutions() {
    Set<String> all = executions;
    executions = new HashSet<>();
    return all;
  }

  /** True (answered, counted, perhaps closed) when the request is over the socket's rate. */
  private boolean rateLimited() {
    RateLimiter.Decision d = limiter.acquire(System.nanoTime());
    if (d == RateLimiter.Decision.ALLOW) {
      return false;
    }
    rt.counters.error(ErrorCodes.RATE_LIMITED);
    reply(MonitorFrame.error(ErrorCodes.RATE_LIMITED, "above " + rt.settings.monitorSubscribeRate()
        + " requests/s: request not processed"));
    if (d == RateLimiter.Decision.CLOSE) {
      floodClosing = true;
      close((short) 1008, "rate limit exceeded");
    }
    return true;
  }

  private void onText(String text) {
    if (closing || closed) {
      return;
    }
    rt.counters.frameReceived();
    if (text.length() > rt.settings.maxMessageBytes()) {
      tooLarge();
      return;
    }
    if (floodClosing || rateLimited()) {
      return;
    }
    JsonObject req;
    try {
      req = new JsonObject(text);
    } catch (RuntimeException e) {
      invalid("not a JSON object");
      return;
    }
    String type = req.getValue("type") instanceof String t ? t : null;
    boolean sub = "subscribe".equals(type);
    if (!sub && !"unsubscribe".equals(type)) {
      invalid("type must be subscribe or unsubscribe");
      return;
    }
    settle();
    Object exec = req.getValue("executionId");
    Object topic = req.getValue("topic");
    String ack = sub ? MonitorFrame.SUBSCRIBED : MonitorFrame.UNSUBSCRIBED;
    if (exec instanceof String e && !e.isEmpty() && e.length() <= 128) {
      if (sub) {
        if (!executions.contains(e)) {
          if (executions.size() >= rt.settings.monitorMaxSubscriptions()) {
            rt.counters.error(ErrorCodes.SUBSCRIPTION_LIMIT);
            reply(MonitorFrame.error(ErrorCodes.SUBSCRIPTION_LIMIT, "at most " + rt.settings.monitorMaxSubscriptions()
                + " executions per socket: unsubscribe one first"));
            return;
          }
          executions.add(e);
          rt.monitors.subscribeExecution(this, e);
          if (!watchesAll) {
            // the monitors answer once the execution's status names its tool: subscribed, or UNAUTHORIZED
            return;
          }
        }
      } else if (executions.remove(e)) {
        rt.monitors.unsubscribeExecution(this, e);
      }
      reply(MonitorFrame.execution(ack, e, new JsonObject()));
      return;
    }
    if (!(topic instanceof String t) || !TOPICS.contains(t)) {
      invalid("name an executionId or a topic: events, stats, alerts or health");
      return;
    }
    String acked = MonitorFrame.topic(ack, t, new JsonObject()).toJson().encode();
    if (!sub) {
      write(acked);
      if (topics.remove(t)) {
        rt.monitors.unsubscribe(this, t);
      }
    } else if (!topics.add(t)) {
      write(acked);
    } else if (MonitorFrame.TOPIC_ALERTS.equals(t)) {
      write(acked);
      alertsSnapshotThenSubscribe();
    } else {
      rt.monitors.subscribe(this, t, List.of(acked));
    }
  }

  /** Topic alerts starts with the active alerts (the alert service's answer), then the stream. */
  private void alertsSnapshotThenSubscribe() {
    rt.bus.<JsonObject>request(Addresses.ALERTS_QUERY, new JsonObject().put("what", "active"),
        new DeliveryOptions().setSendTimeout(Addresses.QUERY_TIMEOUT_MS)).onComplete(ar -> Hub.on(ctx, () -> {
          if (closed || !topics.contains(MonitorFrame.TOPIC_ALERTS)) {
            return;
          }
          List<String> first = new ArrayList<>();
          if (ar.succeeded()) {
            JsonArray items = ar.result().body().getJsonArray("items", new JsonArray());
            first.add(MonitorFrame.topic(MonitorFrame.SNAPSHOT, MonitorFrame.TOPIC_ALERTS, items).toJson().encode());
          } else {
            first.add(MonitorFrame.topic(MonitorFrame.SNAPSHOT, MonitorFrame.TOPIC_ALERTS, new JsonArray()).toJson().encode());
            first.add(MonitorFrame.error("ALERTS_UNAVAILABLE", "the alert service did not answer: snapshot empty").toJson().encode());
          }
          rt.monitors.subscribe(this, MonitorFrame.TOPIC_ALERTS, first);
        }));
  }

  private void invalid(String message) {
    rt.counters.error(ErrorCodes.INVALID_MESSAGE);
    reply(MonitorFrame.error("INVALID_REQUEST", message));
  }

  private void reply(MonitorFrame f) {
    write(f.toJson().encode());
  }

  /**
   * The execution runs a tool this socket's credential may not watch (the monitors found out from its status): the
   * subscription is dropped and the socket gets UNAUTHORIZED naming the execution and the tool, counted; it stays open.
   */
  void refused(String execId, String tool) {
    Hub.on(ctx, () -> {
      if (closed || !executions.remove(execId)) {
        return;
      }
      rt.counters.error(ErrorCodes.UNAUTHORIZED);
      write(new MonitorFrame(MonitorFrame.ERROR, null, execId, new JsonObject().put("code", ErrorCodes.UNAUTHORIZED)
          .put("message", "subscribe refused: execution " + execId + " runs tool " + tool
              + ", which the credential may not watch"), System.currentTimeMillis()).toJson().encode());
    });
  }

  /** Hands {@code text} to this socket, after the frames relayed to it before (from the monitor verticle's context). */
  void deliver(String text) {
    deliver(new SharedFrame(text, null));
  }

  /** Hands a frame encoded once for many sockets to this socket, after the frames relayed to it before. */
  void deliver(SharedFrame frame) {
    outbox.add(frame, new MonitorSession[] {this});
  }

  private void write(String text) {
    send(new SharedFrame(text, null));
  }

  /** Writes a frame and flushes it, or holds it while the write queue is full (this socket's loop). */
  void send(SharedFrame frame) {
    if (offer(frame)) {
      flush();
    }
  }

  /**
   * Writes a frame without flushing it (true: {@link #flush} sends it), or holds it while the write queue is full
   * (this socket's loop). A held frame with a coalesce key replaces the held frame with the same key. The socket is a
   * slow consumer, closed 1008, when its queue has stayed full longer than hub.slowConsumerGrace, or when what it
   * holds would exceed hub.writeQueueMaxBytes on top of the full queue: nothing is queued without bound
   * (docs/monitor.md, Limits and liveness).
   */
  @Override
  public boolean offer(SharedFrame frame) {
    if (closed || closing || ws.isClosed()) {
      return false;
    }
    if (held == null && !full()) {
      return put(frame);
    }
    long now = System.currentTimeMillis();
    if (fullSince == 0) {
      fullSince = now;
    } else if (now - fullSince > rt.settings.slowConsumerGraceMs()) {
      slowConsumer();
      return false;
    }
    if (held == null) {
      held = new ArrayDeque<>();
    }
    if (frame.coalesceKey() != null) {
      for (Iterator<SharedFrame> it = held.iterator(); it.hasNext(); ) {
        SharedFrame old = it.next();
        if (frame.coalesceKey().equals(old.coalesceKey())) {
          it.remove();
          heldBytes -= old.length();
          rt.monitors.frameCoalesced();
          break;
        }
      }
    }
    if (heldBytes + frame.length() > rt.settings.writeQueueMaxBytes()) {
      slowConsumer();
      return false;
    }
    held.addLast(frame);
    heldBytes += frame.length();
    if (!full()) {
      drained();
    }
    return false;
  }

  /** The write queue is full: the channel's, which holds what {@link #put} writes, or the WebSocket's. */
  private boolean full() {
    return encoder != null ? !encoder.channel().isWritable() : ws.writeQueueFull();
  }

  /**
   * Writes one frame, unflushed (true) where it can: its wire bytes, shared by every socket it goes to, into the
   * pipeline at the WebSocket encoder's place. A frame sent in several WebSocket frames goes through the WebSocket,
   * which flushes it (false).
   */
  private boolean put(SharedFrame f) {
    rt.counters.messageOut();
    if (encoder == null || f.wire() == null) {
      f.writeTo(ws);
      return false;
    }
    if (!encoder.channel().isActive()) {
      return false;
    }
    encoder.write(f.wire().duplicate(), encoder.voidPromise());
    return true;
  }

  /** Sends what {@link #offer} wrote (this socket's loop). */
  @Override
  public void flush() {
    if (encoder != null) {
      encoder.flush();
    }
  }

  /** The write queue has room again: the held frames go out, oldest first, while it has. */
  private void drained() {
    if (closed || closing || ws.isClosed()) {
      held = null;
      return;
    }
    boolean wrote = false;
    while (held != null && !held.isEmpty() && !full()) {
      SharedFrame f = held.pollFirst();
      heldBytes -= f.length();
      wrote |= put(f);
    }
    if (wrote) {
      flush();
    }
    if (held != null && held.isEmpty()) {
      held = null;
    }
    if (held == null && !full()) {
      fullSince = 0;
    }
  }

  private void slowConsumer() {
    held = null;
    heldBytes = 0;
    rt.counters.error(ErrorCodes.SLOW_CONSUMER);
    close((short) 1008, "slow consumer");
  }

  void heartbeat(long nowMs) {
    if (closed) {
      return;
    }
    if (nowMs - lastFrameMs > rt.settings.monitorIdleTimeoutMs()) {
      rt.counters.error(ErrorCodes.IDLE_TIMEOUT);
      close((short) 1001, "idle timeout");
      return;
    }
    ws.writePing(Buffer.buffer(8).appendLong(System.nanoTime()));
  }

  void close(short code, String reason) {
    if (!closed && !closing) {
      closing = true;
      ws.close(code, reason);
      guard.dropAfter(rt.settings.closeTimeoutMs());
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    settle();
    rt.admission.left();
    rt.counters.connectionClosed("monitor", (System.nanoTime() - openedNanos) / 1_000_000);
    rt.monitors.closed(this, takeExecutions());
  }

  /** What this session does when its {@link WebSocketGuard} trips (called from Netty; acts on the session's context). */
  private final class GuardListener implements WebSocketGuard.Listener {
    @Override
    public void controlFlood() {
      Hub.on(ctx, () -> {
        fail(ErrorCodes.CONTROL_FRAME_FLOOD, "more than " + rt.settings.controlFrameRate()
            + " ping, pong or close frames per second", (short) 1008, "control frame flood");
      });
    }

    @Override
    public void notReading() {
      Hub.on(ctx, () -> {
        rt.counters.error(ErrorCodes.SLOW_CONSUMER);
        close((short) 1008, "slow consumer");
      });
    }

    @Override
    public void tooLarge() {
      Hub.on(ctx, MonitorSession.this::tooLarge);
    }

    @Override
    public void invalidUtf8() {
      Hub.on(ctx, () -> fail(ErrorCodes.INVALID_UTF8, "text message is not valid UTF-8", (short) 1007, "invalid UTF-8"));
    }

    @Override
    public void protocolError() {
      Hub.on(ctx, () -> fail(ErrorCodes.WEBSOCKET_PROTOCOL_ERROR, "broken WebSocket frame", (short) 1002, "protocol error"));
    }
  }
}
