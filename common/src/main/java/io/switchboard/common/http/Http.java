package io.switchboard.common.http;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Small helpers for JSON responses and errors, so every endpoint answers the same way. An error body is
 * {@code {error:{status, code, field?, message}}}; its message says what was wrong with the request and never
 * carries an exception's own text. Every error answer is counted (see {@link HttpErrors}).
 */
public final class Http {
  private Http() {}

  public static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended() || ctx.response().headWritten()) {
      return;
    }
    String text = body instanceof JsonObject o ? o.encode() : Json.encode(body);
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(text);
  }

  /** An error with the code that goes with its status. */
  public static void error(RoutingContext ctx, int status, String message) {
    error(ctx, new ApiError(status, HttpErrors.forStatus(status), null, message));
  }

  /** An error with its own code. */
  public static void error(RoutingContext ctx, int status, String code, String message) {
    error(ctx, new ApiError(status, code, null, message));
  }

  /** Answers the error and counts it under its code. */
  public static void error(RoutingContext ctx, ApiError e) {
    if (ctx.response().ended() || ctx.response().headWritten()) {
      return;
    }
    HttpErrors counters = ctx.get(HttpErrors.KEY);
    if (counters != null) {
      counters.count(e.code());
    }
    json(ctx, e.status(), new JsonObject().put("error", e.toJson()));
  }

  /**
   * Maps a failed event-bus request to HTTP: nobody answering (no handler or timeout) is 503 with a reason;
   * a service's {@code fail(code, message)} with a 4xx code is that status, with the code and field the
   * service gave ({@link ApiError#encode()}); any other failure is 503 without the failure's own text.
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
        error(ctx, ApiError.decode(re.failureCode(), re.getMessage()));
        return;
      }
    }
    error(ctx, 503, "the " + service + " service could not answer; try again");
  }
}
