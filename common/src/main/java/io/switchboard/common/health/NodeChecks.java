package io.switchboard.common.health;

import io.switchboard.common.Addresses;
import io.switchboard.common.health.HealthRegistry.Probe;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.spi.cluster.hazelcast.ClusterHealthCheck;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.EnumSet;
import java.util.function.BooleanSupplier;

/**
 * The checks every node has (docs/operations.md, "Probes"): critical — HTTP listening, local event-bus round trip, heap below
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

    h.register("http", true, EnumSet.of(Probe.READY), p -> p.complete(
        httpListening.getAsBoolean() ? Status.OK() : HealthRegistry.down("HTTP server not listening yet")));
    h.register("eventBus", true, EnumSet.of(Probe.LIVE, Probe.READY), p -> {
      long t0 = System.nanoTime();
      node.vertx().eventBus().request(echo, "ping", new DeliveryOptions().setSendTimeout(HealthRegistry.CHECK_TIMEOUT_MS))
          .map(m -> Status.OK(new JsonObject().put("roundTripMs", (System.nanoTime() - t0) / 1e6)))
          .onComplete(p);
    });
    h.register("heap", true, EnumSet.of(Probe.READY), p -> {
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
      double ratio = max > 0 ? (double) heap.getUsed() / max : 0;
      JsonObject data = new JsonObject().put("used", heap.getUsed()).put("max", max).put("ratio", ratio).put("limit", HEAP_LIMIT);
      p.complete(ratio < HEAP_LIMIT ? Status.OK(data) : Status.KO(data.put("reason", "heap above 90 %")));
    });
    h.register("shutdown", true, EnumSet.of(Probe.READY), p -> p.complete(
        node.shutdown().shuttingDown() ? HealthRegistry.down("node is shutting down") : Status.OK()));
    h.register("started", true, EnumSet.of(Probe.STARTUP, Probe.READY), p -> p.complete(
        started.getAsBoolean() ? Status.OK() : HealthRegistry.down("services still starting")));
    if (node.clustered()) {
      // vertx-hazelcast's own check (partition service isClusterSafe, on a worker), with the member count added
      Handler<Promise<Status>> clusterSafe = ClusterHealthCheck.createProcedure(node.vertx());
      h.register("clusterSafe", false, EnumSet.of(Probe.READY), p -> {
        Promise<Status> inner = Promise.promise();
        clusterSafe.handle(inner);
        inner.future().map(st -> {
          JsonObject data = new JsonObject().put("members", node.clusterManager().getNodes().size()).put("safe", st.isOk());
          return st.isOk() ? Status.OK(data) : Status.KO(data.put("reason", "partition migration under way"));
        }).onComplete(p);
      });
    }
    h.register("statsFresh", false, EnumSet.of(Probe.READY), p -> node.vertx().eventBus()
        .<JsonObject>request(Addresses.STATS_QUERY, new JsonObject().put("scope", "health"),
            new DeliveryOptions().setSendTimeout(HealthRegistry.CHECK_TIMEOUT_MS - 100))
        .map(m -> {
          JsonObject body = m.body() == null ? new JsonObject() : m.body();
          return body.getBoolean("fresh", true) ? Status.OK(body) : Status.KO(body);
        })
        .recover(err -> Future.succeededFuture(HealthRegistry.down("no stats service answered: " + err.getMessage())))
        .onComplete(p));
    return consumer.completion();
  }
}
