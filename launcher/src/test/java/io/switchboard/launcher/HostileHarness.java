package io.switchboard.launcher;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Switchboard node process under attack, and the instruments that judge how it took it.
 *
 * <p>{@link #start} launches {@code java -jar switchboard.jar} unclustered ({@code cluster.mode=none}; every role,
 * so alerts evaluate too) with a bounded heap and without {@code -XX:+ExitOnOutOfMemoryError}: a node that runs
 * out of memory stays up in whatever state that leaves it, and the instruments below see it. {@link #watch} then
 * takes a baseline (heap after a full GC, the counters of /metrics) and starts, for the whole attack:
 * <ul>
 *   <li>a <b>neighbour</b>: an ordinary HAIP session (JDK WebSocket client, handshaken) that sends a HAIP
 *       {@code PING} every 100 ms and records the longest time between two {@code PONG}s;</li>
 *   <li>a <b>/health prober</b>: every 200 ms a new TCP connection with {@code GET /health}, which must answer 200
 *       (connect included) before a stall.</li>
 * </ul>
 * {@link #verdict} stops both, prints the longest PONG gap and the slowest probe (the figures the limits are judged
 * by: on a quiet machine they stay under 1 s) and checks, collecting every failure rather than stopping at the first:
 * no PONG gap and no probe longer than a stall ({@link #STALL}: a node knocked over stalls far longer or stops, while
 * a machine busy with other work delays a healthy node by moments, and the tests must hold on a busy machine), at
 * least one of the attack's expected series of /metrics grew, and the
 * heap after a full GC came back near the baseline: at most {@code max(baseline + 32 MiB, 1.5 × baseline)}, polled
 * for up to 30 s (heap measured with {@code jcmd <pid> GC.run} then {@code jcmd <pid> GC.heap_info}, the used
 * sizes of the young and old generations summed). Every wait has a deadline; {@link #close} stops only the
 * node this harness started, by its pid.
 */
final class HostileHarness implements AutoCloseable {
  static final long HEAP_SLACK_BYTES = 32L * 1024 * 1024;
  static final double HEAP_SLACK_RATIO = 1.5;
  /** Longer than any pause of a busy machine, far shorter than a node that was knocked over. */
  static final Duration STALL = Duration.ofSeconds(5);
  static final Duration MAX_PONG_GAP = STALL;
  static final Duration HEALTH_DEADLINE = STALL;

  final NodeProcess node;
  final int port;
  private Neighbour neighbour;
  private HealthProber prober;
  private long baselineHeap = -1;
  private String baselineMetrics = "";
  private final List<String> problems = new ArrayList<>();

  private HostileHarness(NodeProcess node) {
    this.node = node;
    this.port = node.httpPort;
  }

  /** Starts a node with every role, unclustered, this max heap (e.g. "256m") and these extra SWITCHBOARD_* settings. */
  static HostileHarness start(String name, String maxHeap, Map<String, String> settings) throws IOException {
    int port = TestNodes.freePort();
    Map<String, String> env = new HashMap<>(NodeProcess.env("hostile-" + UUID.randomUUID().toString().substring(0, 8),
        5701, name, port));
    env.put("SWITCHBOARD_CLUSTER_MODE", "none");
    env.put("SWITCHBOARD_LOG_LEVEL", "info,io.switchboard.access=warn");
    env.putAll(settings);
    NodeProcess n = NodeProcess.start(name, port, env,
        List.of("-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    HostileHarness h = new HostileHarness(n);
    try {
      n.awaitReady(Duration.ofSeconds(60));
    } catch (AssertionError e) {
      n.close();
      throw e;
    }
    return h;
  }

  /** Baseline (heap after GC, metrics), then the neighbour and the /health prober, running until {@link #verdict}. */
  void watch() {
    baselineHeap = heapAfterGc();
    baselineMetrics = metrics();
    neighbour = Neighbour.connect(port);
    prober = new HealthProber(port);
    Await.waitFor(Duration.ofSeconds(10), () -> neighbour.pongs.get() >= 3 && prober.probes.get() >= 2,
        "the neighbour or the prober did not get going: " + neighbour.pongs.get() + " pongs, " + prober.probes.get() + " probes");
    System.out.printf("[%s] baseline heap after GC %.1f MiB; neighbour and prober running%n", node.name, baselineHeap / 1048576.0);
  }

  /** Records a failure for {@link #verdict} without stopping the test. */
  void check(boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }

  /**
   * Stops the instruments and checks neighbour, /health, that one of {@code counted} grew since {@link #watch}, and
   * the heap; throws one AssertionError listing every problem found (those from {@link #check} included).
   */
  void verdict(List<String> counted) {
    neighbour.stop();
    prober.stop();
    long gapMs = neighbour.maxGapNanos() / 1_000_000;
    System.out.printf("[%s] neighbour: %d pings, %d pongs, longest gap %d ms%s; /health: %d probes, slowest %d ms, %d failed%n",
        node.name, neighbour.pings.get(), neighbour.pongs.get(), gapMs, neighbour.closedCode() == 0 ? "" : ", closed " + neighbour.closedCode(),
        prober.probes.get(), prober.slowestMs.get(), prober.failures.size());
    check(neighbour.closedCode() == 0, "the neighbour's session was closed (" + neighbour.closedCode() + ")");
    check(gapMs <= MAX_PONG_GAP.toMillis(), "the neighbour went " + gapMs + " ms without a PONG (limit " + MAX_PONG_GAP.toMillis() + " ms)");
    check(prober.failures.isEmpty(), "/health did not answer 200 within " + HEALTH_DEADLINE.toMillis() + " ms "
        + prober.failures.size() + " time(s) of " + prober.probes.get() + "; first: " + prober.failures.stream().limit(3).toList());
    String after = metrics();
    StringBuilder seen = new StringBuilder();
    boolean grew = false;
    for (String entry : counted) {
      // an entry may offer alternatives, "a | b": any one of them growing counts the attack
      for (String selector : entry.split("\\s+\\|\\s+")) {
        double before = Metrics.sum(baselineMetrics, selector);
        double now = Metrics.sum(after, selector);
        seen.append(String.format("%n    %s: %.0f -> %.0f", selector, before, now));
        grew |= now > before;
      }
    }
    System.out.printf("[%s] counted:%s%n", node.name, seen);
    check(grew, "the attack was not counted: none of these grew:" + seen);
    checkHeap();
    check(node.alive(), "the node process is gone:\n" + node.tail());
    if (!problems.isEmpty()) {
      throw new AssertionError(problems.size() + " problem(s) on node " + node.name + ":\n  - " + String.join("\n  - ", problems));
    }
  }

  private void checkHeap() {
    long limit = Math.max(baselineHeap + HEAP_SLACK_BYTES, (long) (baselineHeap * HEAP_SLACK_RATIO));
    long[] last = {-1};
    // each measurement starts two jcmd JVMs: asked once a second
    Await.within(Duration.ofSeconds(30), Duration.ofSeconds(1), () -> {
      last[0] = heapAfterGc();
      return last[0] >= 0 && last[0] <= limit;
    });
    long used = last[0];
    System.out.printf("[%s] heap after GC: baseline %.1f MiB, now %.1f MiB, limit %.1f MiB%n", node.name,
        baselineHeap / 1048576.0, used / 1048576.0, limit / 1048576.0);
    check(used >= 0 && used <= limit, used < 0 ? "the heap could not be measured (jcmd did not answer within its deadline)"
        : String.format("the heap after GC stayed at %.1f MiB, over %.1f MiB (baseline %.1f MiB)", used / 1048576.0,
            limit / 1048576.0, baselineHeap / 1048576.0));
  }

  /** /metrics as text, asked again for up to 10 s while the node does not answer; empty if it never does. */
  String metrics() {
    String[] text = {""};
    try {
      Await.waitFor(Duration.ofSeconds(10), () -> {
        NodeProcess.Response r = node.get("/metrics");
        if (r.status() != 200) {
          System.out.printf("[%s] GET /metrics: %d %s%n", node.name, r.status(), r.body().length() > 200 ? r.body().substring(0, 200) : r.body());
          return false;
        }
        text[0] = r.body();
        return true;
      }, "/metrics answered");
    } catch (AssertionError e) {
      check(false, "GET /metrics did not answer 200 within 10 s");
    }
    return text[0];
  }

  /** Heap in use after a full GC, in bytes, from jcmd; -1 when jcmd fails or takes over 30 s. */
  long heapAfterGc() {
    if (jcmd("GC.run") == null) {
      return -1;
    }
    String info = jcmd("GC.heap_info");
    if (info == null) {
      return -1;
    }
    long used = 0;
    boolean any = false;
    Matcher m = Pattern.compile("(?m)^\\s*(def new generation|tenured generation|garbage-first heap|PSYoungGen|ParOldGen)[^\\n]*?used (\\d+)K").matcher(info);
    while (m.find()) {
      used += Long.parseLong(m.group(2)) * 1024;
      any = true;
    }
    return any ? used : -1;
  }

  private String jcmd(String command) {
    try {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(node.pid()), command).redirectErrorStream(true).start();
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
        try {
          return p.getInputStream().readAllBytes();
        } catch (IOException e) {
          return new byte[0];
        }
      });
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      String text = new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
      return p.exitValue() == 0 ? text : null;
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  public void close() {
    if (neighbour != null) {
      neighbour.stop();
    }
    if (prober != null) {
      prober.stop();
    }
    node.close();
  }

  // ---- /metrics -----------------------------------------------------------------------------------------

  /** Prometheus text reading: sums the series matching a selector {@code name} or {@code name{label="v",...}}. */
  static final class Metrics {
    private Metrics() {}

    static double sum(String text, String selector) {
      int brace = selector.indexOf('{');
      String name = brace < 0 ? selector : selector.substring(0, brace);
      List<String> labels = new ArrayList<>();
      if (brace >= 0) {
        Matcher lm = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(selector.substring(brace));
        while (lm.find()) {
          labels.add(lm.group(1) + "=\"" + lm.group(2) + "\"");
        }
      }
      double total = 0;
      for (String line : text.split("\n")) {
        if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
          continue;
        }
        int close = line.lastIndexOf('}');
        String series = close < 0 ? "" : line.substring(0, close + 1);
        if (labels.stream().allMatch(series::contains)) {
          try {
            total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          } catch (NumberFormatException e) {
            // not a sample line
          }
        }
      }
      return total;
    }
  }

  // ---- the neighbour ------------------------------------------------------------------------------------

  /** A handshaken HAIP session sending PING every 100 ms and timing the PONGs. */
  static final class Neighbour {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "neighbour-pinger");
      t.setDaemon(true);
      return t;
    });
    private volatile WebSocket ws;
    private final CompletableFuture<String> hai = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final AtomicLong pings = new AtomicLong();
    final AtomicLong pongs = new AtomicLong();
    private final AtomicLong maxGap = new AtomicLong();
    private volatile long lastPongNanos;
    private volatile boolean stopped;
    private volatile int closedBeforeStop;
    private volatile CompletableFuture<WebSocket> lastSend = CompletableFuture.completedFuture(null);
    private long seq;

    static Neighbour connect(int port) {
      Neighbour n = new Neighbour();
      n.ws = TextWebSocket.open(port, "/haip", n::onFrame, n.closed);
      String session = n.hai.orTimeout(10, TimeUnit.SECONDS).join();
      JsonObject payload = new JsonObject().put("haip_version", "1.1.2").put("accept_major", new JsonArray().add(1))
          .put("accept_events", new JsonArray().add("HAI").add("PING").add("PONG").add("ERROR").add("FLOW_UPDATE"));
      n.ws.sendText(n.frame(session, "HAI", payload).encode(), true).orTimeout(5, TimeUnit.SECONDS).join();
      n.lastPongNanos = System.nanoTime();
      n.timer.scheduleAtFixedRate(() -> n.ping(session), 0, 100, TimeUnit.MILLISECONDS);
      return n;
    }

    private JsonObject frame(String session, String type, JsonObject payload) {
      return new JsonObject().put("id", UUID.randomUUID().toString()).put("session", session).put("transaction", "null")
          .put("seq", String.valueOf(++seq)).put("ts", String.valueOf(System.currentTimeMillis())).put("channel", "SYSTEM")
          .put("type", type).put("payload", payload);
    }

    private void ping(String session) {
      if (stopped || closed.isDone() || !lastSend.isDone()) {
        return; // a send still pending (the node is not reading): this tick is skipped, the PONG gap grows
      }
      pings.incrementAndGet();
      try {
        lastSend = ws.sendText(frame(session, "PING", new JsonObject().put("nonce", String.valueOf(pings.get()))).encode(), true);
      } catch (RuntimeException e) {
        // the output is closed: no more PONGs will come, which the gap shows; an exception would end the task
      }
    }

    private void onFrame(String text) {
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        return;
      }
      String type = f.getString("type");
      if ("HAI".equals(type)) {
        hai.complete(f.getString("session"));
      } else if ("PONG".equals(type) && !stopped) {
        long now = System.nanoTime();
        maxGap.accumulateAndGet(now - lastPongNanos, Math::max);
        lastPongNanos = now;
        pongs.incrementAndGet();
      }
    }

    /** The longest time between two PONGs so far, the time since the last one included. */
    long maxGapNanos() {
      return stopped ? maxGap.get() : Math.max(maxGap.get(), System.nanoTime() - lastPongNanos);
    }

    /** The close code (-1 for a drop) if the session ended before {@link #stop}; 0 while it was open until then. */
    int closedCode() {
      return closedBeforeStop != 0 ? closedBeforeStop : !stopped && closed.isDone() ? closed.join() : 0;
    }

    void stop() {
      if (stopped) {
        return;
      }
      maxGap.accumulateAndGet(System.nanoTime() - lastPongNanos, Math::max);
      closedBeforeStop = closed.isDone() ? closed.join() : 0;
      stopped = true;
      timer.shutdownNow();
      if (!closed.isDone()) {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null);
        ws.abort();
      }
    }
  }

  // ---- the /health prober -------------------------------------------------------------------------------

  /** GET /health on a new connection every 200 ms; a probe fails unless 200 arrives within 1 s of connecting. */
  static final class HealthProber {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "health-prober");
      t.setDaemon(true);
      return t;
    });
    private final int port;
    private final long startNanos = System.nanoTime();
    final AtomicLong probes = new AtomicLong();
    final AtomicLong slowestMs = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();

    HealthProber(int port) {
      this.port = port;
      timer.scheduleAtFixedRate(this::probe, 0, 200, TimeUnit.MILLISECONDS);
    }

    private void probe() {
      long t0 = System.nanoTime();
      String outcome;
      try {
        outcome = probeOnce(t0 + HEALTH_DEADLINE.toNanos());
      } catch (RuntimeException e) {
        outcome = e.toString(); // caught: an exception would end the periodic task
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      probes.incrementAndGet();
      slowestMs.accumulateAndGet(ms, Math::max);
      if (outcome != null) {
        failures.add(String.format("at +%d ms: %s (%d ms)", (t0 - startNanos) / 1_000_000, outcome, ms));
      }
    }

    /** null when 200 arrived by the deadline, else what happened. */
    private String probeOnce(long deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        while (got.size() < 12) {
          long left = (deadline - System.nanoTime()) / 1_000_000;
          if (left <= 0) {
            return "no answer in time";
          }
          s.setSoTimeout((int) left);
          int n = in.read(buf);
          if (n < 0) {
            return "connection closed without an answer";
          }
          got.write(buf, 0, n);
        }
        String head = got.toString(StandardCharsets.US_ASCII);
        return head.startsWith("HTTP/1.1 200") ? null : "answered " + head.substring(0, 12);
      } catch (SocketTimeoutException e) {
        return "timed out";
      } catch (IOException e) {
        return e.toString();
      }
    }

    void stop() {
      timer.shutdownNow();
      try {
        timer.awaitTermination(3, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
