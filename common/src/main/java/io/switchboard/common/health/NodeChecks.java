package io.switchboard.common.health;

import io.switchboard.common.Addresses;
import io.switchboard.common.health.HealthRegistry.Probe;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.EnumSet;
import java.util.function.BooleanSupplier;

/**
 * The checks every node has (DESIGN.md): critical — HTTP listening, local event-bus round trip, heap below
 * 90 %, not shutting down; non-critical — cluster safe (no partition migration under way), stats fresh.
 */
public final class NodeChecks {
  private NodeChecks() {}

  public static final double HEAP_LIMIT = 0.90;

  /** Registers the checks and the local echo consumer the event-bus check uses. */
  public static Future<Void> register(NodeContext node, BooleanSupplier httpListening, BooleanSupplier started) {
    HealthRegistry h = node.health();
    String echo = Addresses.nodeHealth(node.nodeId());
    MessageConsumer<Object> consumer = node.vertx().eventBus().localConsumer(echo, msg -> msg.reply("pong"));

    h.register("http", true, EnumSet.of(Probe.READY), () -> Future.succeededFuture(
        httpListening.getAsBoolean() ? CheckResult.up() : CheckResult.down("HTTP server not listening yet")));
    h.register("eventBus", true, EnumSet.of(Probe.LIVE, Probe.READY), () -> {
      long t0 = System.nanoTime();
      return node.vertx().eventBus().request(echo, "ping", new DeliveryOptions().setSendTimeout(HealthRegistry.CHECK_TIMEOUT_MS))
          .map(m -> CheckResult.up(new JsonObject().put("roundTripMs", (System.nanoTime() - t0) / 1e6)));
    });
    h.register("heap", true, EnumSet.of(Probe.READY), () -> {
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
      double ratio = max > 0 ? (double) heap.getUsed() / max : 0;
      JsonObject data = new JsonObject().put("used", heap.getUsed()).put("max", max).put("ratio", ratio).put("limit", HEAP_LIMIT);
      return Future.succeededFuture(ratio < HEAP_LIMIT ? CheckResult.up(data) : CheckResult.down(data.put("reason", "heap above 90 %")));
    });
    h.register("shutdown", true, EnumSet.of(Probe.READY), () -> Future.succeededFuture(
        node.shutdown().shuttingDown() ? CheckResult.down("node is shutting down") : CheckResult.up()));
    h.register("started", true, EnumSet.of(Probe.STARTUP, Probe.READY), () -> Future.succeededFuture(
        started.getAsBoolean() ? CheckResult.up() : CheckResult.down("services still starting")));
    if (node.clustered()) {
      h.register("clusterSafe", false, EnumSet.of(Probe.READY), () -> node.vertx().executeBlocking(() -> {
        var hz = node.clusterManager().getHazelcastInstance();
        boolean safe = hz.getPartitionService().isClusterSafe();
        JsonObject data = new JsonObject().put("members", hz.getCluster().getMembers().size()).put("safe", safe);
        return safe ? CheckResult.up(data) : CheckResult.down(data.put("reason", "partition migration under way"));
      }, false));
    }
    h.register("statsFresh", false, EnumSet.of(Probe.READY), () -> node.vertx().eventBus()
        .<JsonObject>request(Addresses.STATS_QUERY, new JsonObject().put("scope", "health"),
            new DeliveryOptions().setSendTimeout(HealthRegistry.CHECK_TIMEOUT_MS - 100))
        .map(m -> {
          JsonObject body = m.body() == null ? new JsonObject() : m.body();
          return body.getBoolean("fresh", true) ? CheckResult.up(body) : CheckResult.down(body);
        })
        .recover(err -> Future.succeededFuture(CheckResult.down("no stats service answered: " + err.getMessage()))));
    return consumer.completion();
  }
}
