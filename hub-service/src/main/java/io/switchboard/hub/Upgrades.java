package io.switchboard.hub;

import io.switchboard.common.haip.ErrorCodes;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;

/** WebSocket upgrades through the Router, with the node's connection limit checked first (HTTP 503 beyond it). */
final class Upgrades {
  private Upgrades() {}

  static void upgrade(RoutingContext rc, HubRuntime rt, BiConsumer<ServerWebSocket, Context> opened) {
    String upgrade = rc.request().getHeader(HttpHeaders.UPGRADE);
    if (upgrade == null || !"websocket".equalsIgnoreCase(upgrade)) {
      refuse(rc, 400, "BAD_REQUEST", "WebSocket upgrade required");
      return;
    }
    if (rt.node.shutdown().shuttingDown()) {
      refuse(rc, 503, "SHUTTING_DOWN", "node is shutting down");
      return;
    }
    int max = rt.settings.maxConnections();
    if (rt.openSockets.incrementAndGet() > max) {
      rt.openSockets.decrementAndGet();
      rt.counters.connectionRefused();
      rt.counters.error(ErrorCodes.CONNECTION_LIMIT);
      refuse(rc, 503, ErrorCodes.CONNECTION_LIMIT, "connection limit reached: hub.maxConnections=" + max);
      return;
    }
    rc.request().toWebSocket().onComplete(ar -> {
      if (ar.succeeded()) {
        opened.accept(ar.result(), Vertx.currentContext());
      } else {
        rt.openSockets.decrementAndGet();
      }
    });
  }

  private static void refuse(RoutingContext rc, int status, String code, String reason) {
    rc.response().setStatusCode(status).setStatusMessage(reason)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", code).put("reason", reason).encode());
  }
}
