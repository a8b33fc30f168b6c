package io.switchboard.hub;

import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.MonitorFrame;
import io.switchboard.hub.session.RateLimiter;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One monitor stream socket on /ws: {@code {type:"subscribe"|"unsubscribe", executionId}} or {@code {..., topic}}.
 * Frames reach it from several event loops; writes are thread-safe and the write queue is bounded (a socket whose
 * queue stays full for hub.slowConsumerGrace is closed 1008).
 *
 * <p>Requests are rate-limited (hub.monitor.subscribeRate: beyond it the error RATE_LIMITED, the request is not
 * processed; hub.monitor.subscribeRateCloseAfter refusals within a second close 1008), and a socket watches at most
 * hub.monitor.maxSubscriptions executions (beyond it the error SUBSCRIPTION_LIMIT). The socket's own subscription
 * set and its limiter are touched on the socket's event loop only (requests and the close both run there).
 */
final class MonitorSession {
  private final ServerWebSocket ws;
  final Context ctx;
  private final HubRuntime rt;
  private final long openedNanos = System.nanoTime();
  /** Executions this socket watches; its event loop only. */
  private Set<String> executions = new HashSet<>();
  private final RateLimiter limiter;
  volatile long lastFrameMs = System.currentTimeMillis();
  private volatile long fullSince;
  private volatile boolean closed;
  /** A flood close was started (event loop only): later requests are dropped unanswered. */
  private boolean floodClosing;

  MonitorSession(ServerWebSocket ws, Context ctx, HubRuntime rt) {
    this.ws = ws;
    this.ctx = ctx;
    this.rt = rt;
    this.limiter = new RateLimiter(rt.settings.monitorSubscribeRate(), rt.settings.monitorSubscribeRateCloseAfter(), openedNanos);
  }

  void open() {
    ws.setWriteQueueMaxSize(rt.settings.writeQueueMaxBytes());
    ws.drainHandler(v -> fullSince = 0);
    ws.frameHandler(f -> lastFrameMs = System.currentTimeMillis());
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
    rt.monitors.sessions.add(this);
    rt.counters.connectionOpened("monitor");
  }

  /** Hands the subscription set over at the close (its event loop): the socket watches nothing from now on. */
  Set<String> takeExecutions() {
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
    rt.counters.frameReceived();
    if (closed || floodClosing || rateLimited()) {
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
        }
      } else if (executions.remove(e)) {
        rt.monitors.unsubscribeExecution(this, e);
      }
      reply(MonitorFrame.execution(ack, e, new JsonObject()));
      return;
    }
    if (!(topic instanceof String t) || !List.of(MonitorFrame.TOPIC_EVENTS, MonitorFrame.TOPIC_STATS, MonitorFrame.TOPIC_ALERTS).contains(t)) {
      invalid("name an executionId or a topic: events, stats or alerts");
      return;
    }
    reply(MonitorFrame.topic(ack, t, new JsonObject()));
    switch (t) {
      case MonitorFrame.TOPIC_EVENTS -> {
        if (sub) {
          rt.monitors.subscribeEvents(this);
        } else {
          rt.monitors.unsubscribeEvents(this);
        }
      }
      case MonitorFrame.TOPIC_STATS -> {
        if (sub) {
          rt.monitors.stats.add(this);
        } else {
          rt.monitors.stats.remove(this);
        }
      }
      default -> {
        if (!sub) {
          rt.monitors.alerts.remove(this);
        } else if (!rt.monitors.alerts.contains(this)) {
          rt.bus.<JsonObject>request(Addresses.ALERTS_QUERY, new JsonObject().put("what", "active"),
              new DeliveryOptions().setSendTimeout(Addresses.QUERY_TIMEOUT_MS)).onComplete(ar -> {
                if (closed) {
                  return;
                }
                if (ar.succeeded()) {
                  JsonArray items = ar.result().body().getJsonArray("items", new JsonArray());
                  reply(MonitorFrame.topic(MonitorFrame.SNAPSHOT, MonitorFrame.TOPIC_ALERTS, items));
                } else {
                  reply(MonitorFrame.topic(MonitorFrame.SNAPSHOT, MonitorFrame.TOPIC_ALERTS, new JsonArray()));
                  reply(MonitorFrame.error("ALERTS_UNAVAILABLE", "the alert service did not answer: snapshot empty"));
                }
                rt.monitors.alerts.add(this);
              });
        }
      }
    }
  }

  private void invalid(String message) {
    rt.counters.error(ErrorCodes.INVALID_MESSAGE);
    reply(MonitorFrame.error("INVALID_REQUEST", message));
  }

  private void reply(MonitorFrame f) {
    write(f.toJson().encode());
  }

  /** Thread-safe write with the slow-consumer bound. */
  void write(String text) {
    if (closed) {
      return;
    }
    ws.writeTextMessage(text);
    rt.counters.messageOut();
    if (ws.writeQueueFull()) {
      long now = System.currentTimeMillis();
      if (fullSince == 0) {
        fullSince = now;
      } else if (now - fullSince > rt.settings.slowConsumerGraceMs()) {
        rt.counters.error(ErrorCodes.SLOW_CONSUMER);
        close((short) 1008, "slow consumer");
      }
    }
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
    if (!closed) {
      ws.close(code, reason);
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    rt.openSockets.decrementAndGet();
    rt.counters.connectionClosed("monitor", (System.nanoTime() - openedNanos) / 1_000_000);
    rt.monitors.closed(this);
  }
}
