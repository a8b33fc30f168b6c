package io.switchboard.common.health;

import io.switchboard.common.Addresses;
import io.switchboard.common.health.HealthRegistry.Probe;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A node's own health for the rest of the cluster: a clustered consumer at {@link Addresses#nodeHealthReport(String)}
 * that runs the node's three probes (each check limited to {@link HealthRegistry#REPORT_CHECK_TIMEOUT_MS}) and answers {@code {nodeId, memberId, name, roles, live, ready, startup}}
 * (docs/architecture.md, "Event-bus contract").
 */
public final class NodeHealthReport {
  private NodeHealthReport() {}

  public static Future<Void> register(NodeContext node) {
    return node.vertx().eventBus().consumer(Addresses.nodeHealthReport(node.nodeId()),
        msg -> report(node).onSuccess(msg::reply).onFailure(e -> msg.fail(500, "health probes failed"))).completion();
  }

  /** This node's three probes, run side by side. */
  public static Future<JsonObject> report(NodeContext node) {
    Future<JsonObject> live = probe(node, Probe.LIVE);
    Future<JsonObject> ready = probe(node, Probe.READY);
    Future<JsonObject> startup = probe(node, Probe.STARTUP);
    return Future.all(live, ready, startup).map(all -> new JsonObject()
        .put("nodeId", node.nodeId())
        .put("memberId", node.memberId())
        .put("name", node.identity().name())
        .put("roles", new JsonArray(node.identity().roles()))
        .put("live", live.result())
        .put("ready", ready.result())
        .put("startup", startup.result()));
  }

  private static Future<JsonObject> probe(NodeContext node, Probe probe) {
    return node.health().runForReport(probe).map(HealthRegistry.Report::toJson)
        .otherwise(e -> new JsonObject().put("status", ClusterHealth.DOWN).put("checks", new JsonArray())
            .put("reason", "the probe could not run"));
  }
}
