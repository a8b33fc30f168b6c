package io.switchboard.hub;

import io.netty.channel.Channel;
import io.switchboard.common.http.AccessLogHandler;
import io.switchboard.hub.session.PendingHandshakes;
import io.switchboard.hub.session.UpgradeRelease;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

/**
 * WebSocket upgrades through the Router, with the node's limits checked first: open sockets
 * ({@code hub.maxConnections}) and sockets that have not completed their handshake, per node and per source
 * address ({@code hub.maxPendingHandshakes}, {@code hub.maxPendingHandshakesPerAddress}). Beyond any of them the
 * upgrade gets HTTP 503 with the HTTP API's error body ({@code {error:{status, code, message}}}) naming the key. A
 * socket that opened gets its access-log line (status 101, its session id) once its session exists, and lets go of
 * its upgrade request and, once the session has read them, its headers ({@link UpgradeRelease}).
 */
final class Upgrades {
  private Upgrades() {}

  /**
   * Opens the session of an upgraded socket, which owns the pending-handshake slot from then on; {@code channel} is
   * the socket's Netty channel (for its connection-level guard). Returns the session's id (null when the protocol
   * has none), which goes into the upgrade's access-log line.
   */
  interface Opened {
    String open(ServerWebSocket ws, Context ctx, PendingHandshakes.Slot pending, Channel channel);
  }

  static void upgrade(RoutingContext rc, Hub rt, Opened opened) {
    String upgrade = rc.request().getHeader(HttpHeaders.UPGRADE);
    if (upgrade == null || !"websocket".equalsIgnoreCase(upgrade)) {
      refuse(rc, 400, "BAD_REQUEST", "WebSocket upgrade required");
      return;
    }
    if (rt.node.shutdown().shuttingDown()) {
      refuse(rc, 503, "SHUTTING_DOWN", "node is shutting down");
      return;
    }
    String address = rc.request().remoteAddress() == null ? "" : rc.request().remoteAddress().hostAddress();
    Admission.Result admitted = rt.admission.admit(address);
    if (!admitted.admitted()) {
      refuse(rc, 503, admitted.code(), admitted.message());
      return;
    }
    Channel channel = rc.request().connection() instanceof ConnectionBase c ? c.channelHandlerContext().channel() : null;
    rc.request().toWebSocket().onComplete(ar -> {
      if (ar.succeeded()) {
        UpgradeRelease.release(channel);
        String sessionId = opened.open(ar.result(), Vertx.currentContext(), admitted.slot(), channel);
        AccessLogHandler.upgraded(rc, sessionId);
        UpgradeRelease.dropHeaders(ar.result());
      } else {
        admitted.slot().release();
        rt.admission.left();
      }
    });
  }

  /**
   * Answers a refused upgrade in JSON. A 503 (a limit, or the node stopping) also ends the connection: a client
   * refused for load is not left holding a kept-alive socket, and a swarm of refused sockets costs no more than
   * their answers.
   */
  static void refuse(RoutingContext rc, int status, String code, String reason) {
    boolean close = status == 503;
    if (close) {
      rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    rc.response().setStatusCode(status).setStatusMessage(reason)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("status", status).put("code", code).put("message", reason))
            .encode())
        .onComplete(ar -> {
          if (close) {
            rc.request().connection().close();
          }
        });
  }
}
