package io.switchboard.common.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.DeflateFrameServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.metrics.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;

/**
 * One instance of the node's HTTP server on its own event loop. The node deploys {@code http.instances} of them on
 * the same port; Vert.x spreads accepted connections across them, so sessions use every core.
 * <p>
 * Each accepted connection gets the node's connection limits in its Netty pipeline: the request-head deadline and
 * idle count ({@link HttpConnectionGuard}), and with WebSocket compression on, deflate handshakers whose inflater may
 * allocate at most {@link HttpSettings#maxInflatedFrameBytes()} per frame (Vert.x's own set no bound, so a small
 * compressed frame could inflate without limit); a frame inflating past it fails the socket with 1009.
 */
public final class HttpServerVerticle extends VerticleBase {
  /** The name Vert.x gives the WebSocket extension handler it puts in every HTTP/1.x connection's pipeline. */
  private static final String WS_EXTENSIONS = "webSocketExtensionHandler";

  private final HttpServerOptions options;
  private final Router router;
  private final HttpSettings settings;
  private final NodeCounters counters;
  private HttpServer server;

  public HttpServerVerticle(HttpServerOptions options, Router router, HttpSettings settings, NodeCounters counters) {
    this.options = options;
    this.router = router;
    this.settings = settings;
    this.counters = counters;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options).connectionHandler(this::connected).requestHandler(router)
        .invalidRequestHandler(this::invalid);
    return server.listen();
  }

  /**
   * A request the HTTP decoder could not read (a bad request line, a URI or headers over the decoder's limits): Vert.x
   * answers it (400, 414 or 431) and closes the connection; it is counted here, before it reaches any route.
   */
  private void invalid(HttpServerRequest request) {
    counters.error(ErrorCodes.MALFORMED_REQUEST);
    HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
  }

  private void connected(HttpConnection conn) {
    if (!(conn instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline p = base.channelHandlerContext().pipeline();
    if (settings.webSocketCompression() && p.get(WS_EXTENSIONS) != null) {
      p.replace(WS_EXTENSIONS, WS_EXTENSIONS, boundedDeflate());
    }
    if ((settings.requestHeaderTimeoutMs() > 0 || settings.idleTimeoutMs() > 0) && p.get("handler") != null) {
      HttpConnectionGuard guard = new HttpConnectionGuard(settings.requestHeaderTimeoutMs(), counters);
      p.addFirst(HttpConnectionGuard.READ_MARK, guard.readMark());
      p.addBefore("handler", HttpConnectionGuard.NAME, guard);
    }
  }

  /** permessage-deflate and deflate-frame as Vert.x offers them, with the inflater bounded. */
  private WebSocketServerExtensionHandler boundedDeflate() {
    int max = settings.maxInflatedFrameBytes();
    return new WebSocketServerExtensionHandler(
        new DeflateFrameServerExtensionHandshaker(options.getWebSocketCompressionLevel(), max),
        new PerMessageDeflateServerExtensionHandshaker(options.getWebSocketCompressionLevel(),
            ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
            options.getWebSocketAllowServerNoContext(), options.getWebSocketPreferredClientNoContext(), max));
  }

  /** The server this instance listens with (for TLS reloads). */
  public HttpServer server() {
    return server;
  }

  public int actualPort() {
    return server.actualPort();
  }
}
