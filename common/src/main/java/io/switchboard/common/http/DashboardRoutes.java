package io.switchboard.common.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;

/**
 * The live dashboard (docs/operations.md, "Dashboard"): the page and its scripts from the jar's
 * {@code webroot/dashboard}, the chart library from its WebJar, and {@code /} redirecting to the page. Mounted on
 * nodes that run the hub or stats role.
 */
public final class DashboardRoutes {
  private DashboardRoutes() {}

  public static final String PATH = "/dashboard/";

  /** The uPlot WebJar's version: the parent pom's {@code uplot.version} (DashboardRoutesTest checks it is on the classpath). */
  static final String UPLOT_VERSION = "1.6.30";

  /** The WebJar folder the chart library is served from, under {@code /dashboard/vendor/uplot/}. */
  static final String UPLOT = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist";

  /** Whether a node with these roles serves the dashboard. */
  public static boolean servedBy(List<String> roles) {
    return roles.contains("hub") || roles.contains("stats");
  }

  public static void mount(Router router) {
    router.get("/").handler(ctx -> ctx.redirect(PATH));
    // a route path matches with and without its trailing slash: only the bare one is redirected, so the page's
    // relative links resolve under /dashboard/
    router.get("/dashboard").handler(ctx -> {
      if (ctx.request().path().endsWith("/")) {
        ctx.next();
      } else {
        ctx.redirect(PATH);
      }
    });
    router.get(PATH + "vendor/uplot/*").handler(StaticHandler.create(UPLOT).setMaxAgeSeconds(3600));
    router.get(PATH + "*").handler(StaticHandler.create("webroot/dashboard").setCachingEnabled(false));
  }
}
