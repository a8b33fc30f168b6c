package io.switchboard.common.stats;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.switchboard.common.Addresses;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.metrics.NodeMetrics;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on every node: publishes a {@link NodeReport} on {@code switchboard.node.report} every
 * {@code stats.interval} (unless {@code stats.reporting} is false). On a graceful stop the node calls
 * {@link #stopping()} first (reports from then on carry {@code stopping:true}) and {@link #finish()} just before
 * it leaves the cluster: a last report, and its final counters written to the cluster {@link Ledger}, so what
 * the node counted while draining is not lost.
 */
public final class NodeReporter {
  private static final Logger LOG = LoggerFactory.getLogger(NodeReporter.class);
  private static final OperatingSystemMXBean OS = osBean();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final NodeContext node;
  private final boolean enabled;
  private final long maxConnections;
  private final AtomicLong seq = new AtomicLong();
  private final LongAdder published = new LongAdder();
  private final AtomicLong buildNanos = new AtomicLong();
  private final AtomicLong lastSize = new AtomicLong();
  private volatile boolean stopping;
  private volatile boolean finished;
  private long timerId = -1;

  private NodeReporter(NodeContext node) {
    this.node = node;
    this.enabled = node.config().getBoolean(ConfigKeys.STATS_REPORTING);
    this.maxConnections = node.config().getInt(ConfigKeys.HUB_MAX_CONNECTIONS);
    var registry = node.metrics().registry();
    FunctionCounter.builder("switchboard.stats.reports.published", published, LongAdder::sum)
        .description("NodeReports this node published on switchboard.node.report").register(registry);
    FunctionCounter.builder("switchboard.stats.report.build.seconds", buildNanos, n -> n.get() / 1e9)
        .description("CPU time spent building and encoding this node's reports").register(registry);
    Gauge.builder("switchboard.stats.report.size", lastSize, AtomicLong::get).baseUnit("bytes")
        .description("Size of this node's last NodeReport as JSON text").register(registry);
  }

  /** Creates the reporter and, unless stats.reporting is false, starts the periodic reports. */
  public static NodeReporter start(NodeContext node) {
    NodeReporter r = new NodeReporter(node);
    if (r.enabled) {
      long interval = Math.max(10, node.config().getDurationMs(ConfigKeys.STATS_INTERVAL));
      r.timerId = node.vertx().setPeriodic(0, interval, t -> r.publishNow());
    }
    return r;
  }

  /** The node begins a graceful stop: publish at once, and mark every later report stopping. */
  public void stopping() {
    stopping = true;
    if (enabled && !finished) {
      publishNow();
    }
  }

  /**
   * The last report before the node leaves the cluster, and its final counters written to the ledger (state
   * stopped). Never fails; gives up after {@code Addresses.QUERY_TIMEOUT_MS}.
   */
  public Future<Void> finish() {
    if (!enabled || finished) {
      return Future.succeededFuture();
    }
    stopping = true;
    NodeReport last = publishNow();
    finished = true;
    node.vertx().cancelTimer(timerId);
    if (last == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    long timer = node.vertx().setTimer(Addresses.QUERY_TIMEOUT_MS, t -> done.tryComplete());
    Ledger.map(node.vertx())
        .compose(map -> Ledger.upsert(map, LedgerEntry.of(last, LedgerEntry.STOPPED, last.timestamp())))
        .onComplete(ar -> {
          node.vertx().cancelTimer(timer);
          if (ar.failed()) {
            LOG.warn("could not record final counters in the stats ledger: {}", ar.cause().getMessage());
          }
          done.tryComplete();
        });
    return done.future();
  }

  private NodeReport publishNow() {
    if (finished) {
      return null;
    }
    try {
      long t0 = cpuNanos();
      NodeReport report = build();
      String text = report.toJson().encode();
      buildNanos.addAndGet(cpuNanos() - t0);
      lastSize.set(text.length());
      node.vertx().eventBus().publish(Addresses.NODE_REPORT, new JsonObject(text));
      published.increment();
      return report;
    } catch (RuntimeException e) {
      LOG.warn("node report failed: {}", e.toString());
      return null;
    }
  }

  /** Builds this node's report now (cumulative counters, gauges, memory, CPU). */
  public NodeReport build() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long heapMax = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
    double cpu = OS == null ? 0 : Math.max(0, OS.getProcessCpuLoad());
    String memberId = node.clustered() ? node.clusterManager().getNodeId() : node.nodeId();
    var id = node.identity();
    return new NodeReport(id.nodeId(), memberId, id.name(), id.roles(), id.version(), id.startedAt(),
        System.currentTimeMillis(), seq.incrementAndGet(), stopping, node.counters().snapshot(),
        new NodeReport.Memory((long) NodeMetrics.residentMemoryBytes(), heap.getUsed(), heap.getCommitted(), heapMax),
        cpu, maxConnections);
  }

  /** This thread's CPU time where the JVM measures it, else wall time. */
  private static long cpuNanos() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  private static OperatingSystemMXBean osBean() {
    try {
      return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os ? os : null;
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}
