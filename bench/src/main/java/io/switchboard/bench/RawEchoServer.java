package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * The ceiling: a bare Vert.x WebSocket server with no hub logic that still answers HAIP-shaped frames, so that
 * the same generator can drive it. MESSAGE frames are echoed as they came (no JSON parsing, found by a string
 * search); HAI is answered with HAI and TRANSACTION_START with TRANSACTION_START echoing the referenceId (JSON
 * parsing for those control frames only). One instance per event loop, sharing the port.
 */
public final class RawEchoServer extends VerticleBase {
  private final int port;
  private HttpServer server;

  public RawEchoServer(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("0.0.0.0")
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20).setTcpNoDelay(true));
    server.webSocketHandler(this::handle);
    server.requestHandler(req -> req.response().end("raw-echo: WebSocket on any path\n"));
    return server.listen();
  }

  private void handle(ServerWebSocket ws) {
    String session = UUID.randomUUID().toString();
    long[] seq = {0};
    ws.writeTextMessage(Haip.envelope(UUID.randomUUID().toString(), session, null, ++seq[0], "SYSTEM", "HAI",
        new JsonObject().put("haip_version", Haip.VERSION).put("accept_major", new JsonArray().add(1))
            .put("accept_events", Haip.ALL_EVENTS.copy())).encode());
    ws.textMessageHandler(text -> {
      if (Haip.isMessage(text)) {
        ws.writeTextMessage(text);
        return;
      }
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        return;
      }
      String type = f.getString("type", "");
      switch (type) {
        case "TRANSACTION_START" -> ws.writeTextMessage(Haip.envelope(UUID.randomUUID().toString(), session,
            UUID.randomUUID().toString(), ++seq[0], "SYSTEM", "TRANSACTION_START",
            new JsonObject().put("referenceId", f.getString("transaction"))).encode());
        case "PING" -> ws.writeTextMessage(Haip.envelope(UUID.randomUUID().toString(), session, null, ++seq[0],
            "SYSTEM", "PONG", f.getValue("payload")).encode());
        default -> { } // HAI from the client and anything else: accepted silently
      }
    });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
