package io.switchboard.bench;

import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak (bench/README.md, "Soak"): mixed traffic against one running node for a long time, with connection
 * churn and one hostile client of each kind in turn, while the node's heap after a full GC, its open descriptors
 * and the heartbeats of well-behaved neighbour sessions are sampled. Prints a table over time and a verdict:
 * heap after GC flat, descriptors back to their baseline once the traffic has stopped, no neighbour PONG missed,
 * each hostile client given its documented answer.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Mixed traffic, churn and hostile clients against one node for --duration; samples heap after GC, descriptors and neighbour PONGs.")
public final class SoakCommand implements Callable<Integer> {
  static final String AGENT_TOOL = "soak_echo";
  /** A PING without its PONG for this long is a missed heartbeat. */
  static final Duration PONG_DEADLINE = Duration.ofSeconds(5);

  @Option(names = "--port", required = true, description = "the node's HTTP port (HAIP /haip, monitor /ws, HTTP API)")
  int port;
  @Option(names = "--node-pid", required = true, description = "the node's process id (jcmd GC.run / GC.heap_info, /proc/PID/fd)")
  long pid;
  @Option(names = "--duration", defaultValue = "30m", description = "how long the traffic runs (e.g. 5m, 30m)")
  String duration;
  @Option(names = "--sample", description = "time between samples (default: duration / 10, at least 20s)")
  String sample;
  @Option(names = "--clients", defaultValue = "6", description = "HAIP clients running transactions")
  int clients;
  @Option(names = "--agents", defaultValue = "2", description = "agents offering the tool " + AGENT_TOOL)
  int agents;
  @Option(names = "--monitors", defaultValue = "3", description = "/ws monitors subscribed to events and stats")
  int monitors;
  @Option(names = "--neighbours", defaultValue = "3", description = "HAIP sessions that PING every second and must get each PONG")
  int neighbours;
  @Option(names = "--think", defaultValue = "20ms", description = "a client's pause between messages (keeps it under hub.rateLimit)")
  String think;
  @Option(names = "--churn-interval", defaultValue = "250ms", description = "a short-lived session (HAIP, or every 4th a /ws) this often")
  String churnInterval;
  @Option(names = "--hostile-gap", defaultValue = "15s", description = "pause between two hostile clients")
  String hostileGap;
  @Option(names = "--max-message-bytes", defaultValue = "1MiB", description = "the node's hub.maxMessageBytes (the oversize client sends twice it)")
  String maxMessageBytes;
  @Option(names = "--fd-slack", defaultValue = "8", description = "descriptors above the baseline still counted as returned")
  int fdSlack;
  @Option(names = "--heap-slack-mib", defaultValue = "32", description = "growth of heap after GC (last third vs first third) still counted as flat")
  long heapSlackMib;
  @Option(names = "--json", description = "write the samples, outcomes and verdict here")
  Path json;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final LongAdder roundTrips = new LongAdder();
  private final LongAdder transactions = new LongAdder();
  private final LongAdder churned = new LongAdder();
  private final LongAdder monitorFrames = new LongAdder();
  private final LongAdder httpOk = new LongAdder();
  private final LongAdder httpFailed = new LongAdder();
  private final LongAdder pongsMissed = new LongAdder();
  private final LongAdder neighbourCloses = new LongAdder();
  private final AtomicLong maxPongMs = new AtomicLong();
  /** Neighbours that have had their first PONG: the run's clock starts once all have. */
  private final AtomicInteger neighboursReady = new AtomicInteger();

  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final List<SoakHostile.Outcome> outcomes = new ArrayList<>();
  private HttpClient http;
  private URI haip;
  private URI monitor;

  @Override
  public Integer call() throws Exception {
    long durationMs = SwitchboardConfig.parseDuration(duration);
    long sampleMs = sample != null ? SwitchboardConfig.parseDuration(sample) : Math.max(20_000, durationMs / 10);
    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "soak");
      t.setDaemon(true);
      return t;
    });
    http = HttpClient.newBuilder().executor(pool).connectTimeout(Duration.ofSeconds(5)).build();
    haip = URI.create("ws://127.0.0.1:" + port + "/haip");
    monitor = URI.create("ws://127.0.0.1:" + port + "/ws");
    NodeProbe probe = new NodeProbe(pid, null);

    System.out.printf("soak: node pid %d on port %d for %s, a sample every %d s; %d clients, %d agents, %d monitors, %d neighbours%n",
        pid, port, duration, sampleMs / 1000, clients, agents, monitors, neighbours);
    Sample baseline = sample(probe, 0);
    System.out.printf("baseline (idle node): heap after GC %.1f MiB, %d descriptors (%s)%n", mib(baseline.heap), baseline.fds,
        baseline.fdByKind);

    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      threads.add(start("agent-" + i, this::agentLoop));
    }
    for (int i = 0; i < neighbours; i++) {
      int n = i;
      threads.add(start("neighbour-" + i, () -> neighbourLoop(n)));
    }
    for (int i = 0; i < monitors; i++) {
      threads.add(start("monitor-" + i, this::monitorLoop));
    }
    for (int i = 0; i < clients; i++) {
      int n = i;
      threads.add(start("client-" + i, () -> clientLoop(n)));
    }
    threads.add(start("churn", this::churnLoop));
    threads.add(start("http", this::httpLoop));
    SoakHostile hostile = new SoakHostile(port, SwitchboardConfig.parseBytes(maxMessageBytes));
    threads.add(start("hostile", () -> hostileLoop(hostile)));

    // warm-up: every neighbour connected and answered once, and traffic flowing, before the clock starts; what
    // failed while the node and this generator were starting is shown, not judged
    long readyBy = System.currentTimeMillis() + 120_000;
    while ((neighboursReady.get() < neighbours || roundTrips.sum() == 0) && System.currentTimeMillis() < readyBy) {
      Thread.sleep(200);
    }
    if (!errors.isEmpty()) {
      System.out.println("during the warm-up (not judged): " + errorCounts());
    }
    errors.clear();
    pongsMissed.reset();
    neighbourCloses.reset();
    maxPongMs.set(0);
    System.out.printf("warm-up done: %d of %d neighbours answered, %d round trips%n", neighboursReady.get(), neighbours, roundTrips.sum());

    List<Sample> samples = new ArrayList<>();
    System.out.println();
    System.out.println("| t (min) | heap after GC (MiB) | RSS (MiB) | fds | round trips | transactions | churned sessions | /ws frames | HTTP ok/failed | PONGs missed (so far) | max PONG (ms) | errors (by code) | hostile clients finished |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    long t0 = System.currentTimeMillis();
    long nextSample = t0 + sampleMs;
    int shownOutcomes = 0;
    Map<String, Long> lastErrors = new TreeMap<>();
    long[] last = new long[6];
    while (System.currentTimeMillis() < t0 + durationMs) {
      Thread.sleep(Math.max(1, Math.min(1_000, nextSample - System.currentTimeMillis())));
      if (System.currentTimeMillis() < nextSample && System.currentTimeMillis() < t0 + durationMs) {
        continue;
      }
      nextSample += sampleMs;
      Sample s = sample(probe, System.currentTimeMillis() - t0);
      samples.add(s);
      long[] now = {roundTrips.sum(), transactions.sum(), churned.sum(), monitorFrames.sum(), httpOk.sum(), httpFailed.sum()};
      Map<String, Long> errs = errorCounts();
      StringBuilder errText = new StringBuilder();
      errs.forEach((k, v) -> {
        long d = v - lastErrors.getOrDefault(k, 0L);
        if (d > 0) {
          errText.append(errText.length() == 0 ? "" : ", ").append(k).append(' ').append(d);
        }
      });
      lastErrors.putAll(errs);
      List<String> finished = new ArrayList<>();
      synchronized (outcomes) {
        for (; shownOutcomes < outcomes.size(); shownOutcomes++) {
          SoakHostile.Outcome o = outcomes.get(shownOutcomes);
          finished.add(o.kind() + (o.ok() ? " ok" : " NOT OK"));
        }
      }
      System.out.printf("| %.1f | %.1f | %.1f | %d | %d | %d | %d | %d | %d/%d | %d | %d | %s | %s |%n", s.atMs / 60_000.0,
          mib(s.heap), mib(s.rss), s.fds, now[0] - last[0], now[1] - last[1], now[2] - last[2], now[3] - last[3],
          now[4] - last[4], now[5] - last[5], pongsMissed.sum() + neighbourCloses.sum(), maxPongMs.getAndSet(0),
          errText.length() == 0 ? "-" : errText, finished.isEmpty() ? "-" : String.join(", ", finished));
      last = now;
    }

    running.set(false);
    for (Thread t : threads) {
      t.join(90_000);
    }
    // descriptors return once the node has closed every socket of the run
    Sample after = sample(probe, System.currentTimeMillis() - t0);
    long fdDeadline = System.currentTimeMillis() + 60_000;
    while (after.fds > baseline.fds + fdSlack && System.currentTimeMillis() < fdDeadline) {
      Thread.sleep(2_000);
      after = sample(probe, System.currentTimeMillis() - t0);
    }
    return verdict(baseline, samples, after);
  }

  private int verdict(Sample baseline, List<Sample> samples, Sample after) throws Exception {
    List<String> failures = new ArrayList<>();
    int third = Math.max(1, samples.size() / 3);
    double first = samples.subList(0, third).stream().mapToLong(s -> s.heap).average().orElse(0);
    double lastThird = samples.subList(samples.size() - third, samples.size()).stream().mapToLong(s -> s.heap).average().orElse(0);
    double allowed = Math.max(heapSlackMib * 1024 * 1024, first * 0.25);
    double slope = slopeMibPerHour(samples);
    System.out.println();
    System.out.printf("heap after GC: first third %.1f MiB, last third %.1f MiB (allowed growth %.1f MiB), trend %+.1f MiB/h; after the run %.1f MiB (baseline %.1f)%n",
        mib(first), mib(lastThird), mib(allowed), slope, mib(after.heap), mib(baseline.heap));
    if (samples.isEmpty() || lastThird - first > allowed) {
      failures.add("heap after GC grew from " + Math.round(mib(first)) + " to " + Math.round(mib(lastThird)) + " MiB");
    }
    System.out.printf("descriptors: baseline %d, after the run %d (%s)%n", baseline.fds, after.fds, after.fdByKind);
    if (after.fds > baseline.fds + fdSlack) {
      failures.add("descriptors did not return: " + after.fds + " vs baseline " + baseline.fds);
    }
    long missed = pongsMissed.sum();
    System.out.printf("neighbours: %d PONGs missed (none within %d s), %d neighbour sessions closed by the node%n", missed,
        PONG_DEADLINE.toSeconds(), neighbourCloses.sum());
    if (missed > 0 || neighbourCloses.sum() > 0) {
      failures.add(missed + " PONGs missed, " + neighbourCloses.sum() + " neighbours closed");
    }
    System.out.printf("traffic: %d round trips, %d transactions, %d churned sessions, %d /ws frames, HTTP %d ok / %d failed%n",
        roundTrips.sum(), transactions.sum(), churned.sum(), monitorFrames.sum(), httpOk.sum(), httpFailed.sum());
    System.out.println("errors seen by the well-behaved clients (by code): " + (errors.isEmpty() ? "none" : errorCounts()));
    if (roundTrips.sum() == 0 || churned.sum() == 0) {
      failures.add("the well-behaved traffic did not run");
    }
    JsonArray hostileJson = new JsonArray();
    synchronized (outcomes) {
      System.out.println("hostile clients:");
      for (SoakHostile.Outcome o : outcomes) {
        System.out.printf("  %-16s %-6s %s%n", o.kind(), o.ok() ? "ok" : "NOT OK", o.seen());
        hostileJson.add(new JsonObject().put("kind", o.kind()).put("ok", o.ok()).put("seen", o.seen()));
        if (!o.ok()) {
          failures.add("hostile " + o.kind() + ": " + o.seen());
        }
      }
      for (SoakHostile.Kind k : SoakHostile.Kind.values()) {
        if (outcomes.stream().noneMatch(o -> o.kind().equals(k.name()))) {
          failures.add("hostile " + k + " never ran");
        }
      }
    }
    System.out.println(failures.isEmpty() ? "VERDICT: PASS" : "VERDICT: FAIL: " + String.join("; ", failures));
    if (json != null) {
      JsonObject out = new JsonObject().put("scenario", "soak").put("duration", duration).put("baseline", baseline.toJson())
          .put("after", after.toJson()).put("samples", new JsonArray(samples.stream().map(Sample::toJson).toList()))
          .put("hostile", hostileJson).put("pongsMissed", missed).put("neighbourCloses", neighbourCloses.sum())
          .put("roundTrips", roundTrips.sum()).put("failures", new JsonArray(failures)).put("pass", failures.isEmpty());
      Files.writeString(json, out.encodePrettily());
    }
    return failures.isEmpty() ? 0 : 1;
  }

  // ---- traffic ------------------------------------------------------------------------------------------

  private void agentLoop() {
    while (running.get()) {
      try (SoakSession s = SoakSession.haip(http, haip, "agent-" + Thread.currentThread().getName(), AGENT_TOOL, Duration.ofSeconds(10))) {
        ExecutorService replies = Executors.newSingleThreadExecutor();
        s.onFrame(f -> {
          if ("MESSAGE".equals(f.getString("type"))) {
            replies.execute(() -> s.send(Haip.envelope("r-" + s.nextSeq(), s.session, f.getString("transaction"), s.nextSeq(),
                "AGENT", "MESSAGE", f.getValue("payload"))));
          }
        });
        while (running.get() && s.isOpen()) {
          Thread.sleep(500);
        }
        replies.shutdown();
        if (running.get()) {
          error("AGENT_CLOSED_" + s.closeCode);
        }
      } catch (Exception e) {
        error("AGENT_" + e.getClass().getSimpleName());
        pause(1_000);
      }
    }
  }

  private void neighbourLoop(int n) {
    AtomicBoolean ready = new AtomicBoolean();
    while (running.get()) {
      Map<String, Long> sent = new ConcurrentHashMap<>();
      try (SoakSession s = SoakSession.haip(http, haip, "neighbour-" + n, null, Duration.ofSeconds(10))) {
        s.onFrame(f -> {
          if ("PONG".equals(f.getString("type")) && f.getValue("payload") instanceof JsonObject p
              && p.getValue("nonce") instanceof String nonce) {
            Long at = sent.remove(nonce);
            if (at != null) {
              maxPongMs.accumulateAndGet((System.nanoTime() - at) / 1_000_000, Math::max);
              if (ready.compareAndSet(false, true)) {
                neighboursReady.incrementAndGet();
              }
            }
          }
        });
        long k = 0;
        while (running.get() && s.isOpen()) {
          String nonce = "nb" + n + "-" + (++k);
          sent.put(nonce, System.nanoTime());
          s.ping(nonce);
          Thread.sleep(1_000);
          long now = System.nanoTime();
          sent.entrySet().removeIf(e -> {
            boolean late = now - e.getValue() > PONG_DEADLINE.toNanos();
            if (late) {
              pongsMissed.increment();
            }
            return late;
          });
        }
        if (running.get()) {
          neighbourCloses.increment();
          error("NEIGHBOUR_CLOSED_" + s.closeCode);
        }
      } catch (Exception e) {
        if (running.get()) {
          neighbourCloses.increment();
          error("NEIGHBOUR_" + e.getClass().getSimpleName());
          pause(1_000);
        }
      }
    }
  }

  private void monitorLoop() {
    while (running.get()) {
      try (SoakSession s = SoakSession.open(http, monitor, Duration.ofSeconds(10))) {
        s.onFrame(f -> monitorFrames.increment());
        s.send(new JsonObject().put("type", "subscribe").put("topic", "events"));
        s.send(new JsonObject().put("type", "subscribe").put("topic", "stats"));
        while (running.get() && s.isOpen()) {
          Thread.sleep(500);
        }
        if (running.get()) {
          error("MONITOR_CLOSED_" + s.closeCode);
        }
      } catch (Exception e) {
        error("MONITOR_" + e.getClass().getSimpleName());
        pause(1_000);
      }
    }
  }

  private void clientLoop(int n) {
    long thinkMs = SwitchboardConfig.parseDuration(think);
    long round = 0;
    while (running.get()) {
      String ref = "c" + n + "-" + (++round);
      try (SoakSession s = SoakSession.haip(http, haip, ref, null, Duration.ofSeconds(10))) {
        for (int t = 0; t < 10 && running.get(); t++) {
          String tool = t % 2 == 0 ? "echo" : AGENT_TOOL;
          String refId = ref + "-t" + t;
          s.send(Haip.transactionStart(refId + "-start", s.session, s.nextSeq(), refId, tool));
          JsonObject st = s.await(f -> "ERROR".equals(f.getString("type")) || "TRANSACTION_START".equals(f.getString("type"))
              && f.getValue("payload") instanceof JsonObject p && refId.equals(p.getString("referenceId")), Duration.ofSeconds(10));
          if (st == null) {
            error("CLIENT_NO_TRANSACTION_START");
            break;
          }
          if ("ERROR".equals(st.getString("type"))) {
            error(codeOf(st));
            pause(200);
            continue;
          }
          String tx = st.getString("transaction");
          for (int m = 0; m < 5 && running.get(); m++) {
            s.sendText(Haip.message(ref + "-" + t + "-" + m, s.session, tx, s.nextSeq(), "USER", "soak" + m));
            JsonObject echo = s.await(f -> ("MESSAGE".equals(f.getString("type")) && tx.equals(f.getString("transaction")))
                || "ERROR".equals(f.getString("type")), Duration.ofSeconds(10));
            if (echo == null) {
              error("CLIENT_NO_ECHO");
              break;
            }
            if ("ERROR".equals(echo.getString("type"))) {
              error(codeOf(echo));
            } else {
              roundTrips.increment();
            }
            pause(thinkMs);
          }
          s.send(Haip.envelope(refId + "-end", s.session, tx, s.nextSeq(), "SYSTEM", "TRANSACTION_END", new JsonObject().put("reason", "done")));
          transactions.increment();
        }
      } catch (Exception e) {
        error("CLIENT_" + e.getClass().getSimpleName());
        pause(1_000);
      }
    }
  }

  private void churnLoop() {
    long intervalMs = SwitchboardConfig.parseDuration(churnInterval);
    long k = 0;
    while (running.get()) {
      k++;
      try {
        if (k % 4 == 0) {
          try (SoakSession s = SoakSession.open(http, monitor, Duration.ofSeconds(10))) {
            s.send(new JsonObject().put("type", "subscribe").put("topic", "stats"));
            if (s.await(f -> true, Duration.ofSeconds(10)) == null) {
              error("CHURN_MONITOR_NO_ANSWER");
            }
          }
        } else {
          try (SoakSession s = SoakSession.haip(http, haip, "churn-" + k, null, Duration.ofSeconds(10))) {
            s.ping("churn-" + k);
            if (s.await(f -> "PONG".equals(f.getString("type")), Duration.ofSeconds(10)) == null) {
              error("CHURN_NO_PONG");
            }
          }
        }
        churned.increment();
      } catch (Exception e) {
        error("CHURN_" + e.getClass().getSimpleName());
      }
      pause(intervalMs);
    }
  }

  private void httpLoop() {
    List<String> paths = List.of("/health", "/stats", "/health/ready", "/metrics");
    long k = 0;
    while (running.get()) {
      String path = paths.get((int) (k++ % paths.size()));
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          httpOk.increment();
        } else {
          httpFailed.increment();
          error("HTTP_" + r.statusCode() + "_" + path);
        }
      } catch (Exception e) {
        httpFailed.increment();
        error("HTTP_" + e.getClass().getSimpleName());
      }
      pause(500);
    }
  }

  private void hostileLoop(SoakHostile hostile) {
    long gapMs = SwitchboardConfig.parseDuration(hostileGap);
    pause(gapMs);
    int i = 0;
    SoakHostile.Kind[] kinds = SoakHostile.Kind.values();
    while (running.get()) {
      SoakHostile.Outcome o = hostile.run(kinds[i++ % kinds.length]);
      synchronized (outcomes) {
        outcomes.add(o);
      }
      pause(gapMs);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private static Thread start(String name, Runnable r) {
    Thread t = new Thread(r, "soak-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void pause(long ms) {
    long end = System.currentTimeMillis() + ms;
    while (running.get() && System.currentTimeMillis() < end) {
      try {
        Thread.sleep(Math.min(200, Math.max(1, end - System.currentTimeMillis())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void error(String code) {
    errors.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  private Map<String, Long> errorCounts() {
    Map<String, Long> m = new TreeMap<>();
    errors.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  private static String codeOf(JsonObject errorFrame) {
    return errorFrame.getValue("payload") instanceof JsonObject p ? p.getString("code", "ERROR") : "ERROR";
  }

  private static double mib(double bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  /** Least-squares slope of heap after GC over time, in MiB per hour. */
  static double slopeMibPerHour(List<Sample> samples) {
    int n = samples.size();
    if (n < 2) {
      return 0;
    }
    double mx = samples.stream().mapToDouble(s -> s.atMs).average().orElse(0);
    double my = samples.stream().mapToDouble(s -> s.heap).average().orElse(0);
    double num = 0;
    double den = 0;
    for (Sample s : samples) {
      num += (s.atMs - mx) * (s.heap - my);
      den += (s.atMs - mx) * (s.atMs - mx);
    }
    return den == 0 ? 0 : mib(num / den) * 3_600_000;
  }

  private static Sample sample(NodeProbe probe, long atMs) {
    probe.fullGc();
    Map<String, Integer> fds = probe.descriptors();
    return new Sample(atMs, probe.heapFromJcmd(), probe.rss(), fds.values().stream().mapToInt(Integer::intValue).sum(),
        new TreeMap<>(fds), Instant.now());
  }

  /** One reading of the node: heap used right after a full GC, RSS, open descriptors (by kind), when. */
  record Sample(long atMs, long heap, long rss, int fds, Map<String, Integer> fdByKind, Instant at) {
    JsonObject toJson() {
      return new JsonObject().put("atMs", atMs).put("heapAfterGcBytes", heap).put("rssBytes", rss).put("fds", fds)
          .put("fdByKind", new JsonObject(new TreeMap<>(fdByKind))).put("at", at.toString());
    }
  }
}
