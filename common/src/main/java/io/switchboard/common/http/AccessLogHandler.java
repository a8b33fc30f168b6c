package io.switchboard.common.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per HTTP request (logger {@code io.switchboard.access}): method, path with query (masked like
 * every line), status, bytes, duration, remote address, and {@code x-haip-session} when present. WebSocket
 * upgrades are logged when the upgrade is answered. At debug, a second line carries the request headers (masked).
 */
public final class AccessLogHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger("io.switchboard.access");

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    HttpServerRequest req = ctx.request();
    ctx.addEndHandler(ar -> {
      if (!LOG.isInfoEnabled()) {
        return;
      }
      long micros = (System.nanoTime() - start) / 1000;
      String session = req.getHeader("x-haip-session");
      String remote = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
      int status = ctx.response().getStatusCode();
      long bytes = ctx.response().bytesWritten();
      if (LOG.isDebugEnabled()) {
        StringBuilder headers = new StringBuilder();
        req.headers().forEach(h -> headers.append(h.getKey()).append(": ").append(h.getValue()).append("; "));
        LOG.debug("{} {} {} {} {}", kv("method", req.method().name()), kv("path", req.uri()), kv("status", status),
            kv("remote", remote), kv("headers", headers.toString()));
      }
      if (session != null) {
        LOG.info("{} {} {} {} {} {} {}", kv("method", req.method().name()), kv("path", req.uri()), kv("status", status),
            kv("bytes", bytes), kv("durationMs", micros / 1000.0), kv("remote", remote), kv("session", session));
      } else {
        LOG.info("{} {} {} {} {} {}", kv("method", req.method().name()), kv("path", req.uri()), kv("status", status),
            kv("bytes", bytes), kv("durationMs", micros / 1000.0), kv("remote", remote));
      }
    });
    ctx.next();
  }
}
