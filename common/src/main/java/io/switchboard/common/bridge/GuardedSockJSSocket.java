package io.switchboard.common.bridge;

import io.switchboard.common.auth.Identity;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.impl.SockJSSocketBase;

/**
 * A SockJS socket as the bridge sees it: every message the client sends passes the socket's checks first
 * (docs/operations.md, Bridges). A message above {@code maxMessageBytes} cuts the socket; messages above the
 * socket's rate get an error frame {@code rate_limited} and are dropped, and {@code rateLimitCloseAfter} refusals
 * within a second cut it; a message that is not a JSON object is counted and handed on, and the bridge answers it
 * with its error frame {@code invalid_json}. Owned by the socket's context: its handlers run there, and so does the
 * bridge's event hook for it.
 * <p>
 * It is a {@link SockJSSocketBase} because Vert.x's bridge closes a socket that stopped pinging through that class
 * ({@link #closeAfterSessionExpired}); it registers no write handler of its own (the delegate's options decide).
 */
final class GuardedSockJSSocket extends SockJSSocketBase {
  private final SockJSSocket delegate;
  private final BridgeSettings settings;
  private final BridgeMetrics metrics;
  final SocketBudget budget = new SocketBudget();
  /** Who the socket is, from its credential at creation (its event loop; null until then). */
  Identity identity;
  /** Whether this socket holds a place in {@link BridgeSockets}. */
  boolean counted;
  private boolean cut;

  GuardedSockJSSocket(Vertx vertx, SockJSSocket delegate, BridgeSettings settings, BridgeMetrics metrics) {
    super(vertx, delegate.routingContext(), new SockJSHandlerOptions().setRegisterWriteHandler(false));
    this.delegate = delegate;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Counts {@code reason} and closes the socket, once. */
  void cut(BridgeMetrics.Reason reason) {
    if (cut) {
      return;
    }
    cut = true;
    metrics.error(reason);
    delegate.close();
  }

  @Override
  public SockJSSocket handler(Handler<Buffer> handler) {
    if (handler == null) {
      delegate.handler(null);
      return this;
    }
    delegate.handler(data -> {
      if (cut) {
        return;
      }
      if (data.length() > settings.maxMessageBytes()) {
        cut(BridgeMetrics.Reason.TOO_LARGE);
        return;
      }
      SocketBudget.Rate rate = budget.take(System.currentTimeMillis(), settings.rateLimit(), settings.rateLimitCloseAfter());
      if (rate == SocketBudget.Rate.CLOSE) {
        cut(BridgeMetrics.Reason.RATE_LIMITED);
        return;
      }
      if (rate == SocketBudget.Rate.REFUSE) {
        metrics.error(BridgeMetrics.Reason.RATE_LIMITED);
        delegate.write(new JsonObject().put("type", "err").put("body", "rate_limited").toBuffer());
        return;
      }
      try {
        new JsonObject(data);
      } catch (DecodeException | ClassCastException e) {
        metrics.error(BridgeMetrics.Reason.MALFORMED);
      }
      handler.handle(data);
    });
    return this;
  }

  @Override
  public SockJSSocket exceptionHandler(Handler<Throwable> handler) {
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public SockJSSocket pause() {
    delegate.pause();
    return this;
  }

  @Override
  public SockJSSocket resume() {
    delegate.resume();
    return this;
  }

  @Override
  public SockJSSocket fetch(long amount) {
    delegate.fetch(amount);
    return this;
  }

  @Override
  public SockJSSocket endHandler(Handler<Void> endHandler) {
    delegate.endHandler(endHandler);
    return this;
  }

  @Override
  public SockJSSocket closeHandler(Handler<Void> closeHandler) {
    delegate.closeHandler(closeHandler);
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return delegate.write(data);
  }

  @Override
  public SockJSSocket setWriteQueueMaxSize(int maxSize) {
    delegate.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return delegate.writeQueueFull();
  }

  @Override
  public SockJSSocket drainHandler(Handler<Void> handler) {
    delegate.drainHandler(handler);
    return this;
  }

  @Override
  public String writeHandlerID() {
    return delegate.writeHandlerID();
  }

  @Override
  public Future<Void> end() {
    return delegate.end();
  }

  /** The bridge's ping timeout passed without a ping: closed as Vert.x closes an expired session. */
  @Override
  public void closeAfterSessionExpired() {
    if (delegate instanceof SockJSSocketBase base) {
      base.closeAfterSessionExpired();
    } else {
      delegate.close();
    }
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public SocketAddress remoteAddress() {
    return delegate.remoteAddress();
  }

  @Override
  public SocketAddress localAddress() {
    return delegate.localAddress();
  }

  @Override
  public MultiMap headers() {
    return delegate.headers();
  }

  @Override
  public String uri() {
    return delegate.uri();
  }

  @Override
  public RoutingContext routingContext() {
    return delegate.routingContext();
  }

  @Override
  public Session webSession() {
    return delegate.webSession();
  }

  @Override
  public User webUser() {
    return delegate.webUser();
  }
}
