package io.switchboard.common.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * One instance of the node's HTTP server on its own event loop. The node deploys {@code http.instances} of them on
 * the same port; Vert.x spreads accepted connections across them, so sessions use every core.
 */
public final class HttpServerVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final Router router;
  private HttpServer server;

  public HttpServerVerticle(HttpServerOptions options, Router router) {
    this.options = options;
    this.router = router;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
