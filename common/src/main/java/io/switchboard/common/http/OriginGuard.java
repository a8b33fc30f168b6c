package io.switchboard.common.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;

/**
 * The first handler of every request (docs/operations.md, "Running it in the open"): a request or WebSocket upgrade
 * whose {@code Origin} the {@link OriginPolicy} calls foreign is answered 403 {@link HttpErrors#ORIGIN_REFUSED}
 * before any route sees it, which covers {@code /haip}, {@code /ws}, {@code /eventbus} (its WebSocket and XHR
 * transports) and the dashboard alike. A listed origin goes through Vert.x's CORS handler with the same list, so CORS
 * headers are given to listed origins only; requests without an Origin and same-origin ones get none.
 */
public final class OriginGuard implements Handler<RoutingContext> {
  private final OriginPolicy policy;
  private final CorsHandler cors;

  public OriginGuard(OriginPolicy policy) {
    this.policy = policy;
    this.cors = policy.allowed().isEmpty() ? null : CorsHandler.create()
        .addOrigins(policy.origins())
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH))
        .allowedHeaders(Set.of("Content-Type", "Authorization"))
        .maxAgeSeconds(600);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    OriginPolicy.Verdict verdict = policy.judge(origin, ctx.request().getHeader(HttpHeaders.HOST));
    switch (verdict) {
      case NO_ORIGIN, SAME_ORIGIN -> ctx.next();
      case LISTED -> cors.handle(ctx);
      case FOREIGN -> Http.error(ctx, 403, HttpErrors.ORIGIN_REFUSED, "requests from the origin '"
          + ApiError.excerpt(origin, 100) + "' are not allowed: only the node's own origin and http.allowedOrigins are");
    }
  }
}
