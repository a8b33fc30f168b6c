package io.switchboard.common.http;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small helpers for JSON responses and errors, so every endpoint answers the same way. */
public final class Http {
  private Http() {}

  public static void json(RoutingContext ctx, int status, Object body) {
    String text = body instanceof JsonObject o ? o.encode() : io.vertx.core.json.Json.encode(body);
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(text);
  }

  /** An error body: {@code {error:{status, message}}}. */
  public static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", new JsonObject().put("status", status).put("message", message)));
  }

  /**
   * Maps a failed event-bus request to HTTP: nobody answering (no handler or timeout) is 503 with a reason;
   * a service's {@code fail(code, message)} with a 4xx code is that status.
   */
  public static void fromReplyFailure(RoutingContext ctx, String service, Throwable cause) {
    if (cause instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        error(ctx, 503, "no " + service + " service is running in the cluster");
        return;
      }
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        error(ctx, 503, "the " + service + " service did not answer within 2 s");
        return;
      }
      if (re.failureCode() >= 400 && re.failureCode() < 500) {
        error(ctx, re.failureCode(), re.getMessage());
        return;
      }
    }
    error(ctx, 503, "the " + service + " service failed: " + cause.getMessage());
  }
}
