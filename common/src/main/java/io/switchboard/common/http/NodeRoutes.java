package io.switchboard.common.http;

import io.switchboard.common.Addresses;
import io.switchboard.common.bridge.SockJsBridge;
import io.switchboard.common.cluster.ClusterInfo;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.health.ClusterHealthProbe;
import io.switchboard.common.health.HealthRegistry;
import io.switchboard.common.health.HealthRegistry.Probe;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface every node serves whatever its roles (README, "Try it"; docs/operations.md): probes, metrics,
 * configuration, and the read API, which asks the owning service over the event bus (2 s) and answers 503
 * with a reason when nobody answers.
 */
public final class NodeRoutes {
  private NodeRoutes() {}

  private static final Logger LOG = LoggerFactory.getLogger(NodeRoutes.class);

  public static void mount(Router router, NodeContext node) {
    HttpErrors errors = new HttpErrors(node.metrics().registry());
    router.route().handler(ctx -> {
      ctx.put(HttpErrors.KEY, errors);
      ctx.next();
    });
    router.route().handler(new AccessLogHandler());
    router.route().handler(new OriginGuard(OriginPolicy.from(node.config())));
    long maxBody = node.config().getBytes(ConfigKeys.HTTP_MAX_BODY_BYTES);
    mountErrorHandlers(router, maxBody);
    // the admin gate before the bodies: a write without an admin credential is refused before its body is read
    AdminGuard.mount(router, node.auth());
    router.route().handler(new RequestBodies(maxBody, List.of(SockJsBridge.PATH + "/")));
    router.get("/health").handler(ctx -> health(ctx, node));
    router.get("/health/live").handler(ctx -> probe(ctx, node, Probe.LIVE, false));
    router.get("/health/ready").handler(ctx -> probe(ctx, node, Probe.READY, false));
    router.get("/health/startup").handler(ctx -> probe(ctx, node, Probe.STARTUP, false));
    ClusterHealthProbe clusterHealth = new ClusterHealthProbe(node);
    router.get("/health/cluster").handler(ctx -> {
      if (!onlyParams(ctx)) {
        return;
      }
      clusterHealth.view()
          .onSuccess(v -> Http.json(ctx, v.httpStatus(), v.toJson(clusterHealth.requiredRoles()).put("askedBy", node.nodeId())))
          .onFailure(e -> {
            LOG.warn("the cluster health view failed", e);
            Http.error(ctx, 503, "the cluster health view could not be taken; the node logged the details");
          });
    });
    router.get("/ready").handler(ctx -> probe(ctx, node, Probe.READY, true));
    router.get("/api/health").handler(ctx -> apiHealth(ctx, node));
    router.get("/metrics").handler(ctx -> {
      if (!node.config().getBoolean(ConfigKeys.METRICS_ENABLED)) {
        Http.error(ctx, 404, "metrics are disabled on this node (metrics.enabled=false)");
        return;
      }
      ctx.vertx().executeBlocking(() -> node.metrics().scrape(), false).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("metrics scrape failed", ar.cause());
          Http.error(ctx, 500, "the metrics scrape failed on this node; the node logged the details");
          return;
        }
        ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
      });
    });
    ProfileRoutes.mount(router, node);
    router.get("/metrics/json").handler(ctx -> Http.json(ctx, 200, MetricsJson.render(node.metrics().registry())));
    router.get("/config").handler(ctx -> Http.json(ctx, 200, node.config().toMaskedJson()));
    router.get("/cluster").handler(ctx -> Http.json(ctx, 200, ClusterInfo.describe(node)));
    router.get("/cluster/nodes/:nodeId").handler(ctx -> node.vertx().eventBus()
        .<JsonObject>request(Addresses.nodeInfo(ctx.pathParam("nodeId")), new JsonObject(),
            new DeliveryOptions().setSendTimeout(Addresses.QUERY_TIMEOUT_MS))
        .onSuccess(reply -> Http.json(ctx, 200, reply.body()))
        .onFailure(err -> {
          if (err instanceof ReplyException re
              && re.failureType() == ReplyFailure.NO_HANDLERS) {
            Http.error(ctx, 404, "no node with id " + ApiError.excerpt(ctx.pathParam("nodeId"), 64) + " in the cluster");
          } else {
            Http.fromReplyFailure(ctx, "node", err);
          }
        }));

    // Read API: cluster views owned by the stats and alert services.
    router.get("/stats").handler(ctx -> {
      if (!onlyParams(ctx, "scope", "nodeId")) {
        return;
      }
      String scope = ctx.queryParams().get("scope");
      JsonObject q = new JsonObject();
      if (ctx.queryParams().contains("nodeId") && !"node".equals(scope)) {
        Http.error(ctx, ApiError.invalid(HttpErrors.INVALID_QUERY, "nodeId", "nodeId goes with scope=node only"));
        return;
      }
      if (scope == null || scope.equals("cluster")) {
        q.put("scope", "cluster");
      } else if (scope.equals("node")) {
        q.put("scope", "node").put("nodeId", orDefault(ctx.queryParams().get("nodeId"), node.nodeId()));
      } else if (scope.equals("nodes")) {
        q.put("scope", "nodes");
      } else if (scope.equals("health")) {
        q.put("scope", "health");
      } else {
        Http.error(ctx, ApiError.invalid(HttpErrors.INVALID_QUERY, "scope",
            "scope must be cluster, node, nodes or health, not '" + ApiError.excerpt(scope, 64) + "'"));
        return;
      }
      ask(ctx, node, Addresses.STATS_QUERY, "stats", q);
    });
    router.get("/stats/nodes").handler(ctx -> ask(ctx, node, Addresses.STATS_QUERY, "stats", new JsonObject().put("scope", "nodes")));
    router.get("/api/clients").handler(ctx -> {
      JsonObject q = new JsonObject().put("scope", "clients");
      String type = ctx.queryParams().get("type");
      if (type != null) {
        if (!type.equals("client") && !type.equals("agent")) {
          Http.error(ctx, 400, HttpErrors.INVALID_QUERY, "type must be client or agent, not '" + ApiError.excerpt(type, 64) + "'");
          return;
        }
        q.put("type", type);
      }
      Integer limit = intParam(ctx, "limit", 100, 1, 10_000);
      Integer offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
      if (limit == null || offset == null) {
        return;
      }
      ask(ctx, node, Addresses.STATS_QUERY, "stats", q.put("limit", limit).put("offset", offset));
    });
    router.get("/alerts").handler(ctx -> ask(ctx, node, Addresses.ALERTS_QUERY, "alert", new JsonObject().put("what", "active")));
    router.get("/alerts/history").handler(ctx -> ask(ctx, node, Addresses.ALERTS_QUERY, "alert", new JsonObject().put("what", "history")));
    router.get("/alerts/rules").handler(ctx -> ask(ctx, node, Addresses.ALERTS_QUERY, "alert", new JsonObject().put("what", "rules")));
    router.get("/alerts/status").handler(ctx -> ask(ctx, node, Addresses.ALERTS_QUERY, "alert", new JsonObject().put("what", "status")));
    router.get("/silences").handler(ctx -> ask(ctx, node, Addresses.ALERTS_QUERY, "alert", new JsonObject().put("what", "silences")));
    router.post("/silences").handler(ctx -> {
      JsonObject body;
      try {
        body = JsonBodies.object(ctx.body().buffer(), "a silence {matchers, endsAt or duration}");
      } catch (ApiError e) {
        Http.error(ctx, e);
        return;
      }
      ask(ctx, node, Addresses.ALERTS_QUERY, "alert", new JsonObject().put("what", "createSilence").put("silence", body), 201);
    });
    router.delete("/silences/:id").handler(ctx -> ask(ctx, node, Addresses.ALERTS_QUERY, "alert",
        new JsonObject().put("what", "deleteSilence").put("id", ctx.pathParam("id"))));
  }

  /**
   * JSON answers for the router's own refusals (no route, wrong method, body over its limit, a malformed request)
   * and for a handler's unexpected failure, which is logged and answered without its details.
   */
  private static void mountErrorHandlers(Router router, long maxBody) {
    router.errorHandler(400, ctx -> Http.error(ctx, 400, "the request is malformed"));
    router.errorHandler(404, ctx -> Http.error(ctx, 404, "no endpoint " + ctx.request().method().name() + " "
        + ApiError.excerpt(ctx.request().path() == null ? "" : ctx.request().path(), 200)));
    router.errorHandler(405, ctx -> Http.error(ctx, 405, "method " + ctx.request().method().name() + " is not allowed on "
        + ApiError.excerpt(ctx.request().path() == null ? "" : ctx.request().path(), 200)));
    router.errorHandler(413, ctx -> Http.error(ctx, 413, "the request body is larger than the node accepts ("
        + maxBody + " bytes, http.maxBodyBytes)"));
    router.errorHandler(500, ctx -> {
      LOG.warn("{} {} failed", ctx.request().method().name(), ctx.request().path(), ctx.failure());
      Http.error(ctx, 500, "the node could not answer this request; it logged the details");
    });
  }

  /**
   * True when the request carries no query parameter but {@code allowed}; otherwise answers 400 naming the first
   * unknown one.
   */
  private static boolean onlyParams(RoutingContext ctx, String... allowed) {
    Set<String> known = Set.of(allowed);
    for (String name : ctx.queryParams().names()) {
      if (!known.contains(name)) {
        String accepted = allowed.length == 0 ? "this endpoint takes no query parameter"
            : "this endpoint takes only " + String.join(", ", allowed);
        Http.error(ctx, ApiError.invalid(HttpErrors.INVALID_QUERY, ApiError.excerpt(name, 64),
            "unknown query parameter '" + ApiError.excerpt(name, 64) + "': " + accepted));
        return false;
      }
    }
    return true;
  }

  private static String orDefault(String v, String d) {
    return v == null || v.isEmpty() ? d : v;
  }

  private static Integer intParam(RoutingContext ctx, String name, int def, int min, int max) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return def;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        Http.error(ctx, 400, HttpErrors.INVALID_QUERY, name + " must be between " + min + " and " + max + ", not " + n);
        return null;
      }
      return n;
    } catch (NumberFormatException e) {
      Http.error(ctx, 400, HttpErrors.INVALID_QUERY, name + " must be an integer between " + min + " and " + max + ", not '" + ApiError.excerpt(v, 64) + "'");
      return null;
    }
  }

  static void ask(RoutingContext ctx, NodeContext node, String address, String service, JsonObject query) {
    ask(ctx, node, address, service, query, 200);
  }

  static void ask(RoutingContext ctx, NodeContext node, String address, String service, JsonObject query, int okStatus) {
    // a read is asked a second time when the first replica did not answer (it may have just died and still be
    // listed): the event bus sends the retry to the next replica. Writes are asked once, never duplicated.
    boolean read = ctx.request().method() == HttpMethod.GET;
    request(node, address, query)
        .recover(err -> read && retryable(err) ? request(node, address, query) : Future.failedFuture(err))
        .onSuccess(reply -> Http.json(ctx, okStatus, reply.body()))
        .onFailure(err -> Http.fromReplyFailure(ctx, service, err));
  }

  private static Future<Message<Object>> request(NodeContext node, String address, JsonObject query) {
    return node.vertx().eventBus().request(address, query, new DeliveryOptions().setSendTimeout(Addresses.QUERY_TIMEOUT_MS));
  }

  /** Worth asking another replica: no answer, or a replica's own failure; not "nobody listens" nor a 4xx refusal. */
  static boolean retryable(Throwable err) {
    if (err instanceof ReplyException re) {
      return re.failureType() != ReplyFailure.NO_HANDLERS
          && !(re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() >= 400 && re.failureCode() < 500);
    }
    return true;
  }

  private static void health(RoutingContext ctx, NodeContext node) {
    JsonObject body = new JsonObject()
        .put("status", "ok")
        .put("uptime", System.currentTimeMillis() - node.identity().startedAt())
        .put("activeConnections", node.counters().activeConnections())
        .put("totalConnections", node.counters().totalConnections())
        .put("nodeId", node.nodeId())
        .put("nodeName", node.identity().name())
        .put("roles", new JsonArray(node.identity().roles()))
        .put("version", node.identity().version());
    Http.json(ctx, 200, body);
  }

  private static void apiHealth(RoutingContext ctx, NodeContext node) {
    node.health().run(Probe.READY).onComplete(ar -> {
      boolean healthy = ar.succeeded() && ar.result().ok();
      Http.json(ctx, healthy ? 200 : 503, new JsonObject()
          .put("status", healthy ? "healthy" : "unhealthy")
          .put("uptime_seconds", (System.currentTimeMillis() - node.identity().startedAt()) / 1000)
          .put("connected_clients", node.counters().activeConnections())
          .put("active_sessions", node.counters().activeSessions("client") + node.counters().activeSessions("agent")));
    });
  }

  private static void probe(RoutingContext ctx, NodeContext node, Probe probe, boolean seedShape) {
    Future<HealthRegistry.Report> f = node.health().run(probe);
    f.onComplete(ar -> {
      if (ar.failed()) {
        Http.json(ctx, 503, new JsonObject().put("status", "DOWN").put("error", ar.cause().getMessage()));
        return;
      }
      HealthRegistry.Report r = ar.result();
      JsonObject body = seedShape
          ? new JsonObject().put("ready", r.ok()).put("status", r.status()).put("checks", r.checks())
          : r.toJson().put("nodeId", node.nodeId());
      Http.json(ctx, r.httpStatus(), body);
    });
  }
}
