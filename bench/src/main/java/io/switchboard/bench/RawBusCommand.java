package io.switchboard.bench;

import io.switchboard.common.cluster.NodeVertx;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.metrics.NodeMetrics;
import io.switchboard.common.node.NodeIdentity;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ceiling of cross-node routing on this stack: two clustered Vert.x processes built exactly as a node builds
 * its own (same Hazelcast and event-bus settings, {@link NodeVertx}), passing a 64-byte JSON frame A → B → A with
 * two one-way {@code send}s, as the hub does for a transaction whose agent is on another node. Nothing of the hub
 * runs: the difference between this and the hub's cross-node figure is the hub's own share.
 */
@Command(name = "raw-bus", mixinStandardHelpOptions = true,
    description = "Clustered event-bus round trip between two processes (role echo on one, ping on the other).")
public final class RawBusCommand implements Callable<Integer> {
  static final String IN = "bench.rawbus.in";
  static final String OUT = "bench.rawbus.out";
  static final String PROBE = "bench.rawbus.probe";

  @Option(names = "--role", required = true, description = "echo (answers) or ping (measures)")
  String role;
  @Option(names = "--cluster-name", required = true, description = "Hazelcast cluster name shared by both roles")
  String clusterName;
  @Option(names = "--cluster-port", defaultValue = "5701", description = "first Hazelcast port (default ${DEFAULT-VALUE})")
  int clusterPort;
  @Option(names = "--rate", defaultValue = "2000", description = "frames per second, open loop (default ${DEFAULT-VALUE})")
  int rate;
  @Option(names = "--duration", defaultValue = "15s", description = "measured time (default ${DEFAULT-VALUE})")
  String duration;
  @Option(names = "--warmup", defaultValue = "3s", description = "unrecorded warm-up (default ${DEFAULT-VALUE})")
  String warmup;
  @Option(names = "--json", description = "write the summary as JSON to this file")
  Path json;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig cfg = SwitchboardConfig.defaults().with(Map.of(
        ConfigKeys.CLUSTER_NAME, clusterName,
        ConfigKeys.CLUSTER_PORT, clusterPort,
        ConfigKeys.NODE_NAME, "rawbus-" + role));
    String id = UUID.randomUUID().toString();
    NodeMetrics metrics = new NodeMetrics(new NodeIdentity(id, "rawbus-" + role, List.of(), System.currentTimeMillis(), "bench"));
    Vertx vertx = NodeVertx.create(cfg, metrics, id).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS).vertx();
    try {
      return "echo".equals(role) ? echo(vertx) : ping(vertx);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private int echo(Vertx vertx) throws Exception {
    vertx.eventBus().<JsonObject>consumer(IN, m -> vertx.eventBus().send(OUT, m.body())).completion()
        .compose(v -> vertx.eventBus().<JsonObject>consumer(PROBE, m -> m.reply(m.body())).completion())
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.err.println("raw-bus echo ready on cluster " + clusterName);
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
    done.await();
    return 0;
  }

  private int ping(Vertx vertx) throws Exception {
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    long warmNs = TimeUnit.MILLISECONDS.toNanos(SwitchboardConfig.parseDuration(warmup));
    long runNs = TimeUnit.MILLISECONDS.toNanos(SwitchboardConfig.parseDuration(duration));
    long[] received = {0};
    vertx.eventBus().<JsonObject>consumer(OUT, m -> {
      long now = System.nanoTime();
      long intended = m.body().getLong("t");
      if (intended >= m.body().getLong("from")) {
        h.recordValue(Math.max(0, now - intended));
        received[0]++;
      }
    }).completion().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // until the echo side's consumers are visible here
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        vertx.eventBus().request(PROBE, new JsonObject(), new DeliveryOptions().setSendTimeout(1000))
            .toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
        break;
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("no raw-bus echo answered on cluster " + clusterName);
        }
        Thread.sleep(200);
      }
    }
    String pad = "x".repeat(64);
    long start = System.nanoTime();
    long from = start + warmNs;
    long end = from + runNs;
    double intervalNs = 1e9 / rate;
    long[] sent = {0};
    CountDownLatch finished = new CountDownLatch(1);
    // a 1 ms tick sends every frame whose intended time has come, stamped with that intended time (open loop,
    // coordinated omission corrected as in the load generator)
    vertx.setPeriodic(1, tid -> {
      long now = System.nanoTime();
      while (true) {
        long intended = start + (long) (sent[0] * intervalNs);
        if (intended > now || intended >= end) {
          break;
        }
        vertx.eventBus().send(IN, new JsonObject().put("t", intended).put("from", from).put("p", pad));
        sent[0]++;
      }
      if (now >= end + TimeUnit.SECONDS.toNanos(2)) {
        vertx.cancelTimer(tid);
        finished.countDown();
      }
    });
    finished.await();
    double secs = runNs / 1e9;
    String line = String.format("raw-bus open %d/s: %d round trips in %.1f s (%.0f/s) p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f ms",
        rate, received[0], secs, received[0] / secs, ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
    System.out.println(line);
    if (json != null) {
      JsonObject o = new JsonObject().put("scenario", "raw-bus").put("mode", "open").put("rate", rate)
          .put("roundTrips", received[0]).put("throughput", received[0] / secs)
          .put("p50", ms(h, 50)).put("p90", ms(h, 90)).put("p99", ms(h, 99)).put("p999", ms(h, 99.9))
          .put("max", h.getMaxValue() / 1e6);
      writeJson(json, o);
    }
    return 0;
  }

  private static double ms(Histogram h, double p) {
    return h.getValueAtPercentile(p) / 1e6;
  }

  private static void writeJson(Path p, JsonObject o) throws IOException {
    Files.writeString(p, o.encodePrettily());
  }
}
