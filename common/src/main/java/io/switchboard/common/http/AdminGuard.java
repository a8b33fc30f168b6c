package io.switchboard.common.http;

import io.switchboard.common.auth.Authority;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The admin surface's gate (docs/operations.md, Authentication): everything that writes or reveals configuration —
 * POST and DELETE on silences, {@code /alerts/rules/reload}, {@code /config}, {@code /api/clients} and
 * {@code /admin/*} — needs an admin credential (a Bearer admin token, or a JWT with the role admin). Without a
 * credential, or with one refused, the answer is 401 UNAUTHORIZED (with {@code WWW-Authenticate: Bearer}); with a
 * credential that is not an admin's, 403 FORBIDDEN; both JSON and counted. With {@code admin.port} set, these paths
 * answer 404 on every other port. On a node without any credential configured the open identity is an admin, so the
 * surface stays open there (and the node warns at start-up when it binds beyond loopback).
 */
public final class AdminGuard implements Handler<RoutingContext> {
  /** The admin paths guarded for every method. */
  public static final List<String> PATHS = List.of("/config", "/api/clients", "/admin/*", "/alerts/rules/reload");
  /** The paths guarded for their writes (POST, PUT, PATCH, DELETE) only: reads stay open. */
  public static final List<String> WRITE_PATHS = List.of("/silences", "/silences/*");

  private final Authority authority;

  private AdminGuard(Authority authority) {
    this.authority = authority;
  }

  /** Puts the gate in front of the admin paths: call before those paths' own routes are mounted. */
  public static void mount(Router router, Authority authority) {
    AdminGuard guard = new AdminGuard(authority);
    PATHS.forEach(p -> router.route(p).handler(guard));
    for (String p : WRITE_PATHS) {
      router.route(p).handler(ctx -> {
        HttpMethod m = ctx.request().method();
        if (m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS) {
          ctx.next();
        } else {
          guard.handle(ctx);
        }
      });
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    int adminPort = authority.settings().adminPort();
    if (adminPort > 0 && (ctx.request().localAddress() == null || ctx.request().localAddress().port() != adminPort)) {
      Http.error(ctx, 404, HttpErrors.NOT_FOUND, "the admin surface is served on the management port (admin.port)");
      return;
    }
    Context here = Vertx.currentContext();
    if (!ctx.request().isEnded()) {
      ctx.request().pause();
    }
    authority.authenticate(Authority.credential(ctx.request())).onComplete(ar -> {
      Runnable decide = () -> decide(ctx, ar.succeeded() ? ar.result() : null);
      if (here == null || Vertx.currentContext() == here) {
        decide.run();
      } else {
        here.runOnContext(v -> decide.run());
      }
    });
  }

  private static void decide(RoutingContext ctx, Authority.Outcome o) {
    if (o == null || !o.ok()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      Http.error(ctx, 401, HttpErrors.UNAUTHORIZED, "an admin credential is required: "
          + (o == null ? "the credential could not be checked" : o.refusal().describe()));
      return;
    }
    if (!o.identity().admin()) {
      Http.error(ctx, 403, HttpErrors.FORBIDDEN, "this endpoint needs the admin role; the credential does not grant it");
      return;
    }
    ctx.request().resume();
    ctx.next();
  }
}
