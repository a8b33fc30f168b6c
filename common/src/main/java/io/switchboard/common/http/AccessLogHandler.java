package io.switchboard.common.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.switchboard.common.logging.LogSetup;
import io.switchboard.common.logging.Masker;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per HTTP request (logger {@code io.switchboard.access}): method, path with query (masked like
 * every line), status, bytes, duration, remote address, and {@code x-haip-session} when present. At debug, a second
 * line carries the request headers (masked; every {@code Cookie} value masked whatever the logging configuration).
 * <p>
 * A WebSocket upgrade gets its one line when the upgrade succeeds: status 101, the time until the upgrade, and the
 * session id the socket got, written by {@link #upgraded} from whatever route completed it (the hub's {@code /haip}
 * and {@code /ws}, the SockJS bridge's WebSocket transports). An upgrade refused with an HTTP answer (a limit, a 404)
 * gets the ordinary line of that answer.
 */
public final class AccessLogHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(LogSetup.ACCESS_LOGGER);
  /** The routing-context key of an upgrade request's line, until it is written. */
  private static final String UPGRADE_KEY = "switchboard.accessLog.upgrade";

  /** An upgrade request's line: written once, at the upgrade or at the HTTP answer that refused it. */
  private static final class Upgrade {
    final long startNanos;
    /** Touched on the request's event loop only. */
    boolean logged;

    Upgrade(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    HttpServerRequest req = ctx.request();
    Upgrade upgrade = isWebSocketUpgrade(req) ? new Upgrade(start) : null;
    if (upgrade != null) {
      ctx.put(UPGRADE_KEY, upgrade);
    }
    ctx.addEndHandler(ar -> {
      if (upgrade != null) {
        if (upgrade.logged) {
          return;
        }
        upgrade.logged = true;
      }
      if (LOG.isDebugEnabled()) {
        logHeaders(req, ctx.response().getStatusCode());
      }
      line(req, ctx.response().getStatusCode(), ctx.response().bytesWritten(), start, req.getHeader("x-haip-session"));
    });
    ctx.next();
  }

  /**
   * Writes the access line of a WebSocket upgrade that succeeded (status 101), once, with the session id the socket
   * got ({@code null} where the protocol has none). Does nothing for a request that is not an upgrade, or whose line
   * was written already. Call on the request's event loop (where the upgrade completes).
   */
  public static void upgraded(RoutingContext ctx, String sessionId) {
    Upgrade u = ctx == null ? null : ctx.get(UPGRADE_KEY);
    if (u == null || u.logged) {
      return;
    }
    u.logged = true;
    if (LOG.isDebugEnabled()) {
      logHeaders(ctx.request(), 101);
    }
    line(ctx.request(), 101, 0, u.startNanos, sessionId);
  }

  static boolean isWebSocketUpgrade(HttpServerRequest req) {
    String upgrade = req.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && "websocket".equalsIgnoreCase(upgrade.trim());
  }

  private static void line(HttpServerRequest req, int status, long bytes, long startNanos, String session) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    double durationMs = (System.nanoTime() - startNanos) / 1000 / 1000.0;
    String remote = remote(req);
    if (session != null) {
      LOG.info("{} {} {} {} {} {} {}", kv("method", req.method().name()), kv("path", req.uri()), kv("status", status),
          kv("bytes", bytes), kv("durationMs", durationMs), kv("remote", remote), kv("session", session));
    } else {
      LOG.info("{} {} {} {} {} {}", kv("method", req.method().name()), kv("path", req.uri()), kv("status", status),
          kv("bytes", bytes), kv("durationMs", durationMs), kv("remote", remote));
    }
  }

  private static void logHeaders(HttpServerRequest req, int status) {
    StringBuilder headers = new StringBuilder();
    req.headers().forEach(h -> {
      boolean cookie = h.getKey().equalsIgnoreCase("cookie") || h.getKey().equalsIgnoreCase("set-cookie");
      headers.append(h.getKey()).append(": ").append(cookie ? Masker.maskCookies(h.getValue()) : h.getValue()).append("; ");
    });
    LOG.debug("{} {} {} {} {}", kv("method", req.method().name()), kv("path", req.uri()), kv("status", status),
        kv("remote", remote(req)), kv("headers", headers.toString()));
  }

  private static String remote(HttpServerRequest req) {
    return req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
  }
}
