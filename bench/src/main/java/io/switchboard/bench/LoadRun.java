package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import com.sun.management.OperatingSystemMXBean;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/** Coordinates one load run over its workers (one per event loop) and returns its result as JSON. */
public final class LoadRun {
  private static final long CONNECT_GRACE_MS = 30_000;
  private static final long DRAIN_MS = 5_000;

  private final LoadOptions opt;
  private final List<Worker> workers = new ArrayList<>();
  private final Worker.Shared shared = new Worker.Shared();
  private final PrintStream log;
  private Vertx vertx;

  public LoadRun(LoadOptions opt, PrintStream log) {
    this.opt = opt;
    this.log = log;
  }

  public JsonObject run() throws Exception {
    if (opt.scenario == LoadOptions.Scenario.monitor) {
      opt.sessions = 1;
      if (opt.rate <= 0) {
        opt.rate = 50;
      }
    }
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(opt.threads).setPreferNativeTransport(true)
        .setBlockedThreadCheckInterval(10_000));
    try {
      return doRun();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private JsonObject doRun() throws Exception {
    for (int i = 0; i < opt.threads; i++) {
      workers.add(new Worker(i, vertx, opt, shared));
    }
    JsonObject result = new JsonObject().put("scenario", opt.scenario.name()).put("label", opt.label)
        .put("url", opt.urls.get(0).toString()).put("sessions", opt.sessions).put("rate", opt.rate)
        .put("mode", opt.rate > 0 ? "open" : "closed").put("messageSize", opt.messageSize)
        .put("tool", opt.tool).put("threads", opt.threads)
        .put("sourceAddresses", new JsonArray(new ArrayList<>(opt.sourceAddresses)));
    NodeProbe probe = opt.nodePid > 0 ? new NodeProbe(opt.nodePid, opt.metricsUrl) : null;
    if (probe != null && opt.scenario == LoadOptions.Scenario.idle) {
      log.println("probing node " + opt.nodePid + " before connecting (full GC)...");
      result.put("nodeBefore", probe.snapshot());
    }

    if (opt.agents > 0) {
      URI agentUrl = opt.agentUrl != null ? opt.agentUrl : opt.urls.get(0);
      for (int i = 0; i < opt.agents; i++) {
        Worker w = workers.get(i % workers.size());
        int n = i;
        w.ctx.runOnContext(v -> {
          Session s = new Session(w, Session.Role.AGENT, "bagent" + n);
          w.agents.add(s);
          s.open(agentUrl);
        });
      }
      long deadline = System.currentTimeMillis() + CONNECT_GRACE_MS;
      while (sum(s -> s.agentsReady) < opt.agents && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      result.put("agentsReady", sum(s -> s.agentsReady));
      log.printf("agents ready: %d/%d on %s%n", sum(s -> s.agentsReady), opt.agents, agentUrl);
    }

    long t0 = System.nanoTime();
    Session.Role role = switch (opt.scenario) {
      case idle -> Session.Role.IDLE;
      case monitor -> Session.Role.DRIVER;
      default -> Session.Role.CLIENT;
    };
    // warm-up starts (and closed-loop sessions send) once sessions exist; they send as soon as they are ready
    if (opt.scenario != LoadOptions.Scenario.idle) {
      for (Worker w : workers) {
        w.ctx.runOnContext(v -> w.phase = Worker.Phase.RAMP);
      }
    }
    for (int i = 0; i < opt.sessions; i++) {
      long due = t0 + (long) (opt.rampUpMs * 1_000_000.0 * i / Math.max(1, opt.sessions));
      long wait = due - System.nanoTime();
      if (wait > 1_000_000) {
        Thread.sleep(wait / 1_000_000);
      }
      while (pending() > opt.maxPendingConnects) {
        Thread.sleep(2);
      }
      Worker w = workers.get(i % workers.size());
      URI url = opt.urls.get(i % opt.urls.size());
      String ref = (role == Session.Role.DRIVER ? "bdrv" : "b" + w.id + "s") + i;
      w.ctx.runOnContext(v -> {
        Session s = new Session(w, role, ref);
        w.sessions.add(s);
        s.open(url);
      });
    }
    long deadline = System.currentTimeMillis() + CONNECT_GRACE_MS;
    while (sum(s -> s.sessionsReady + s.sessionsFailed) < opt.sessions && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    long openMs = (System.nanoTime() - t0) / 1_000_000;
    long ready = sum(s -> s.sessionsReady);
    log.printf("sessions ready: %d/%d after %d ms (failed %d)%n", ready, opt.sessions, openMs,
        sum(s -> s.sessionsFailed));
    result.put("sessionsReady", ready).put("sessionsFailed", sum(s -> s.sessionsFailed)).put("openMs", openMs);

    if (opt.scenario == LoadOptions.Scenario.monitor) {
      openSubscribers(result);
    }

    if (opt.scenario == LoadOptions.Scenario.idle) {
      Thread.sleep(opt.holdMs);
      long held = countOnWorkers(w -> (long) w.sessions.stream().filter(Session::ready).count());
      result.put("held", held).put("holdMs", opt.holdMs);
      log.printf("held %d handshaken sessions for %d ms%n", held, opt.holdMs);
      if (probe != null) {
        log.println("probing node after the hold (full GC)...");
        JsonObject after = probe.snapshot();
        // the sessions must still be open when the node is measured
        long heldAfter = countOnWorkers(w -> (long) w.sessions.stream().filter(Session::ready).count());
        result.put("nodeAfter", after).put("heldAfterProbe", heldAfter);
        JsonObject before = result.getJsonObject("nodeBefore");
        if (before != null && held > 0) {
          result.put("heapPerSessionBytes",
              (after.getLong("heapUsedBytes") - before.getLong("heapUsedBytes")) / (double) held);
          result.put("heapPerSessionJcmdBytes",
              (after.getLong("heapUsedJcmdBytes") - before.getLong("heapUsedJcmdBytes")) / (double) held);
          result.put("rssPerSessionBytes", (after.getLong("rssBytes") - before.getLong("rssBytes")) / (double) held);
          long heapRssBefore = before.getLong("rssHeapBytes", -1L);
          long heapRssAfter = after.getLong("rssHeapBytes", -1L);
          if (heapRssBefore >= 0 && heapRssAfter >= 0) {
            // RSS growth in the heap's range (touched heap pages, live or not) and outside it (native)
            result.put("rssHeapPerSessionBytes", (heapRssAfter - heapRssBefore) / (double) held);
            result.put("rssNativePerSessionBytes", (after.getLong("rssBytes") - heapRssAfter
                - (before.getLong("rssBytes") - heapRssBefore)) / (double) held);
          }
          result.put("fdDelta", after.getInteger("fdTotal") - before.getInteger("fdTotal"));
        }
      }
      finish(result);
      return result;
    }

    // warm-up, then the measured window, the same absolute nanoTime on every worker
    long start = System.nanoTime();
    long measureStart = start + opt.warmupMs * 1_000_000;
    long measureEnd = measureStart + opt.durationMs * 1_000_000;
    long totalSessions = Math.max(1, opt.sessions);
    for (Worker w : workers) {
      onWorker(w, () -> {
        w.phase = Worker.Phase.WARMUP;
        w.measureStart = measureStart;
        w.measureEnd = measureEnd;
        w.sessions.forEach(Session::kick);
        if (opt.rate > 0 && !w.sessions.isEmpty()) {
          w.perWorkerRate = opt.rate * (double) w.sessions.size() / totalSessions;
          w.startOpenLoop(start);
        }
        return null;
      });
    }
    log.printf("running: warm-up %d ms, measuring %d ms (%s loop%s)%n", opt.warmupMs, opt.durationMs,
        opt.rate > 0 ? "open" : "closed", opt.rate > 0 ? ", " + opt.rate + " msg/s" : "");
    sleepUntil(measureStart);
    for (Worker w : workers) {
      w.ctx.runOnContext(v -> w.phase = Worker.Phase.MEASURE);
    }
    long cpu0 = processCpuNanos();
    long server0 = serverCpuNanos();
    sleepUntil(measureEnd);
    long cpu1 = processCpuNanos();
    long server1 = serverCpuNanos();
    if (cpu0 >= 0 && cpu1 >= 0) {
      // the generator's own CPU over the window: near 1 core per core it is pinned to, it limits what it measures
      result.put("generatorCpu", new JsonObject().put("cpuMs", (cpu1 - cpu0) / 1_000_000)
          .put("wallMs", opt.durationMs).put("cores", (cpu1 - cpu0) / 1e6 / opt.durationMs));
    }
    if (server0 >= 0 && server1 >= 0) {
      // the server's CPU over the same window (clock-tick resolution, 10 ms): near a full core, the server limits
      result.put("serverCpu", new JsonObject().put("pid", opt.serverPid).put("cpuMs", (server1 - server0) / 1_000_000)
          .put("wallMs", opt.durationMs).put("cores", (server1 - server0) / 1e6 / opt.durationMs));
    }
    for (Worker w : workers) {
      onWorker(w, () -> {
        w.phase = Worker.Phase.DRAIN;
        w.stopTimer();
        return null;
      });
    }
    long drainDeadline = System.currentTimeMillis() + DRAIN_MS;
    while (countOnWorkers(Worker::outstanding) > 0 && System.currentTimeMillis() < drainDeadline) {
      Thread.sleep(20);
    }
    result.put("lost", countOnWorkers(Worker::outstanding));
    finish(result);
    return result;
  }

  private void openSubscribers(JsonObject result) throws Exception {
    String exec = shared.executionId;
    if (exec == null) {
      log.println("no execution id: the driver session did not start its transaction");
      result.put("subscribersReady", 0);
      return;
    }
    URI url = opt.monitorUrl != null ? opt.monitorUrl : opt.urls.get(0).resolve("/ws");
    long t0 = System.nanoTime();
    for (int i = 0; i < opt.subscribers; i++) {
      while (pending() > opt.maxPendingConnects) {
        Thread.sleep(2);
      }
      Worker w = workers.get(i % workers.size());
      w.ctx.runOnContext(v -> {
        Subscriber s = new Subscriber(w);
        w.subscribers.add(s);
        s.open(url, exec);
      });
    }
    long deadline = System.currentTimeMillis() + CONNECT_GRACE_MS;
    while (sum(s -> s.subscribersReady) < opt.subscribers && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    result.put("subscribers", opt.subscribers).put("subscribersReady", sum(s -> s.subscribersReady))
        .put("executionId", exec);
    log.printf("subscribers ready: %d/%d on %s after %d ms%n", sum(s -> s.subscribersReady), opt.subscribers, url,
        (System.nanoTime() - t0) / 1_000_000);
  }

  private void finish(JsonObject result) throws Exception {
    WorkerStats total = new WorkerStats();
    Histogram monitor = new Histogram(3_600_000_000L, 3);
    for (Worker w : workers) {
      onWorker(w, () -> {
        w.phase = Worker.Phase.DONE;
        w.stats.mergeInto(total);
        monitor.add(w.monitorUs);
        w.sessions.forEach(Session::close);
        w.agents.forEach(Session::close);
        w.subscribers.forEach(Subscriber::close);
        return null;
      });
    }
    double seconds = opt.durationMs / 1000.0;
    result.put("durationMs", opt.durationMs).put("warmupMs", opt.warmupMs).put("rampUpMs", opt.rampUpMs);
    result.put("roundTrips", total.roundTrips).put("sent", total.sent)
        .put("throughput", opt.scenario == LoadOptions.Scenario.idle ? 0 : total.roundTrips / seconds);
    result.put("latencyMs", latency(total.latencyUs));
    for (String side : List.of("generatorCpu", "serverCpu")) {
      JsonObject cpu = result.getJsonObject(side);
      if (cpu != null && total.roundTrips > 0) {
        cpu.put("usPerRoundTrip", cpu.getLong("cpuMs") * 1000.0 / total.roundTrips);
      }
    }
    result.put("errors", total.errorCount()).put("errorsByCode", new JsonObject(new TreeMap<>(total.errors)));
    result.put("sessionsClosedEarly", total.sessionsClosedEarly);
    if (opt.agents > 0) {
      result.put("agentReplies", total.agentReplies);
    }
    if (opt.scenario == LoadOptions.Scenario.monitor) {
      JsonObject byKind = new JsonObject();
      long all = 0;
      for (MonitorFrameScan.Kind k : MonitorFrameScan.Kind.values()) {
        byKind.put(k.name().toLowerCase(Locale.ROOT), total.monitorByKind[k.ordinal()]);
        all += total.monitorByKind[k.ordinal()];
      }
      long subscribers = Math.max(1, result.getLong("subscribersReady", 0L));
      result.put("monitorFrames", total.monitorFrames)
          .put("monitorFramesPerSecond", total.monitorFrames / seconds)
          .put("monitorLatencyMs", latency(monitor))
          .put("monitorFramesByKind", byKind)
          .put("monitorFramesAll", all)
          .put("monitorDuplicates", total.monitorDuplicates)
          .put("monitorGaps", total.monitorGaps)
          .put("driverMessagesInWindow", total.driverSentInWindow)
          .put("framesPerDriverMessage", total.driverSentInWindow == 0 ? 0.0
              : total.monitorFrames / (double) (total.driverSentInWindow * subscribers));
      JsonObject cpu = result.getJsonObject("generatorCpu");
      if (cpu != null && all > 0) {
        cpu.put("usPerFrame", cpu.getLong("cpuMs") * 1000.0 / all);
      }
    }
    result.put("timestamp", System.currentTimeMillis());
  }

  static JsonObject latency(Histogram h) {
    JsonObject o = new JsonObject().put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return o;
    }
    return o.put("p50", ms(h.getValueAtPercentile(50))).put("p90", ms(h.getValueAtPercentile(90)))
        .put("p99", ms(h.getValueAtPercentile(99))).put("p999", ms(h.getValueAtPercentile(99.9)))
        .put("max", ms(h.getMaxValue())).put("mean", Math.round(h.getMean()) / 1000.0);
  }

  private static double ms(long us) {
    return us / 1000.0;
  }

  /** This process's CPU time (all threads), or -1 where the JVM does not tell. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
  }

  /** The server's CPU time (user and system) so far, from /proc through ProcessHandle; -1 without a server pid. */
  private long serverCpuNanos() {
    if (opt.serverPid <= 0) {
      return -1;
    }
    return ProcessHandle.of(opt.serverPid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos()).orElse(-1L);
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long wait;
    while ((wait = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(200, wait / 1_000_000)));
    }
  }

  private long pending() {
    long n = 0;
    for (Worker w : workers) {
      n += w.pendingConnects; // racy read, only a throttle
    }
    return n;
  }

  private long sum(Function<WorkerStats, Long> f) throws Exception {
    return countOnWorkers(w -> f.apply(w.stats));
  }

  private long countOnWorkers(Function<Worker, Long> f) throws Exception {
    long n = 0;
    for (Worker w : workers) {
      n += onWorker(w, () -> f.apply(w));
    }
    return n;
  }

  private static <T> T onWorker(Worker w, Supplier<T> f) throws Exception {
    CompletableFuture<T> cf = new CompletableFuture<>();
    w.ctx.runOnContext(v -> {
      try {
        cf.complete(f.get());
      } catch (Throwable t) {
        cf.completeExceptionally(t);
      }
    });
    return cf.get(30, TimeUnit.SECONDS);
  }
}
