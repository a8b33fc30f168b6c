package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart under steady traffic, with real processes on 127.0.0.1: three nodes (hub on all, stats and
 * alert on two), six HAIP clients spread over them running transactions one after another, alternately against
 * the built-in echo tool and a tool offered by two agents, every client and agent following the reconnect
 * contract of docs/operations.md (on a close: back off 0.5–1 s, connect to another node, shake hands again, start
 * new transactions). Every node is stopped with SIGTERM and started again under its name and port, one at a time,
 * each ready before the next goes. Asserted: every execution reaches a terminal state (none hangs); every client
 * reconnected and carried on; every close was the drain's 1001; the cluster totals count what the clients
 * observed — connections exactly, frames and executions within what was in flight at a close (a frame the server
 * never answered before closing may or may not have been processed) — including, after each restart, what
 * completed before it; they never go backwards (the two stats replicas answer in turn and one may be a report
 * behind the other: no answer is below what any answer said {@value #REPLICA_SKEW_MS} ms earlier); a graceful
 * restart marks no node down and fires no node-down alert. Figures (stop and start times, client gaps,
 * reconnects, executions per phase, totals against the clients' counts) go to stdout.
 */
class RollingRestartIT {
  static final String CLUSTER = "sb-roll-" + UUID.randomUUID().toString().substring(0, 8);
  static final String TOOL = "relay";
  static final int CLIENTS = 6;
  static final int MESSAGES_PER_TX = 4;
  static final long PACE_MS = 25;
  /** Transactions every client completes in a steady phase (about 4 s at this pace), waited for, not timed. */
  static final int STEADY_TX = 20;
  static final Duration STEADY_DEADLINE = Duration.ofSeconds(90);
  static final Duration AWAIT = Duration.ofSeconds(10);
  /** Two stats replicas answer /stats in turn; one may be a report behind the other, never more. */
  static final long REPLICA_SKEW_MS = 3_000;
  static final String[] TOTALS = {"totalMessages", "totalConnections", "total", "successful", "failed", "cancelled"};

  enum Outcome { NOT_STARTED, COMPLETED, FAILED, CANCELLED }

  /** How a transaction the client started ended, as far as the client can know: one outcome, or the candidates. */
  record Exec(String tool, long atMs, EnumSet<Outcome> possible, String how) {}

  record Restart(String node, long termAt, long exitAt, long readyAt, int exitCode) {}

  final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  final long t0 = System.nanoTime();
  volatile boolean clientsRunning = true;
  volatile boolean agentsRunning = true;
  /** Completed when the agents are told to stop: wakes an agent waiting for its socket to close. */
  final CompletableFuture<Void> agentsStopped = new CompletableFuture<>();
  volatile boolean polling = true;
  volatile int restarting = -1;
  final Queue<Exec> execs = new ConcurrentLinkedQueue<>();
  final List<String> problems = new CopyOnWriteArrayList<>();
  final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
  /** {closedAt, ms from the close to the next completed transaction} per client reconnect. */
  final List<long[]> gaps = new CopyOnWriteArrayList<>();
  /** {closedAt, ms from the close to serving again} per agent reconnect. */
  final List<long[]> agentGaps = new CopyOnWriteArrayList<>();
  final LongAdder connects = new LongAdder();
  final LongAdder framesCertain = new LongAdder();
  final LongAdder framesUncertain = new LongAdder();
  final LongAdder relayEchoes = new LongAdder();
  final LongAdder toolNotFound = new LongAdder();
  /** /stats samples: {at, totalMessages, totalConnections, total, successful, failed, cancelled}. */
  final List<long[]> samples = new CopyOnWriteArrayList<>();
  final LongAdder statsRefused = new LongAdder();
  final List<Restart> restarts = new ArrayList<>();

  long now() {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @AfterEach
  void stopAll() {
    clientsRunning = false;
    agentsRunning = false;
    agentsStopped.complete(null);
    polling = false;
    nodes.forEach(NodeProcess::close);
  }

  @Test
  void everyNodeRestartsUnderSteadyTrafficAndNothingIsLostOrHangs() throws Exception {
    int clusterPort = TestNodes.freePortRange(8);
    nodes.add(NodeProcess.startMember(CLUSTER, clusterPort, "n1", "hub,stats,alert"));
    nodes.add(NodeProcess.startMember(CLUSTER, clusterPort, "n2", "hub,stats,alert"));
    nodes.add(NodeProcess.startMember(CLUSTER, clusterPort, "n3", "hub"));
    for (NodeProcess n : nodes) {
      n.awaitReady(Duration.ofSeconds(90));
    }
    Await.waitFor(Duration.ofSeconds(30), () -> nodes.get(0).clusterSize() == 3, "cluster of 3 never formed");

    List<Agent> agents = List.of(new Agent("agent-a", 1), new Agent("agent-b", 2));
    agents.forEach(Thread::start);
    Await.waitFor(Duration.ofSeconds(15), () -> agents.stream().allMatch(a -> a.serving), "agents never served");
    Await.waitFor(Duration.ofSeconds(20), () -> nodes.stream().allMatch(n -> {
      try (HaipClient probe = HaipClient.connect(n.httpPort)) {
        connects.increment(); // the totals count this session and its two frames (HAI, TOOL_LIST) too
        boolean listed = probe.handshake(null).listsTool(TOOL);
        framesCertain.add(2);
        return listed;
      }
    }), "the agents' tool never reached every hub node's TOOL_LIST");
    Thread poller = new Thread(this::pollStats, "stats-poller");
    poller.start();
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(new Client("c" + i, i % nodes.size(), new Random(i)));
    }
    long trafficStart = now();
    clients.forEach(Thread::start);

    Await.waitFor(STEADY_DEADLINE, () -> clients.stream().allMatch(c -> c.completed >= STEADY_TX),
        "clients did not complete " + STEADY_TX + " transactions each before the restarts");
    for (int slot = 0; slot < nodes.size(); slot++) {
      NodeProcess old = nodes.get(slot);
      restarting = slot;
      long completedBefore = certainlyCompleted();
      long termAt = now();
      int code = old.stopGracefully(Duration.ofSeconds(15));
      long exitAt = now();
      NodeProcess again = old.restart();
      nodes.set(slot, again);
      again.awaitReady(Duration.ofSeconds(90));
      restarting = -1;
      restarts.add(new Restart(old.name, termAt, exitAt, now(), code));
      assertThat(code).as("%s's exit code after SIGTERM", old.name).isZero();
      // what completed before the node went (some of it counted by that node alone) is still in the totals
      Await.waitFor(Duration.ofSeconds(5), () -> !samples.isEmpty() && samples.get(samples.size() - 1)[4] >= completedBefore,
          "after " + old.name + "'s restart /stats counts fewer than the " + completedBefore + " executions completed before it");
    }
    Await.waitFor(STEADY_DEADLINE, () -> clients.stream().allMatch(c -> c.completedSinceReconnect >= STEADY_TX),
        "clients did not complete " + STEADY_TX + " transactions each after their last reconnect");
    long trafficEnd = now();

    clientsRunning = false;
    for (Client c : clients) {
      c.join(30_000);
    }
    agentsRunning = false;
    agentsStopped.complete(null);
    for (Agent a : agents) {
      a.join(15_000);
    }
    // the totals settle: connections exact, and the same answer from both replicas for 1.5 s
    NodeProcess n1 = nodes.get(0);
    Await.waitFor(Duration.ofSeconds(20), () -> {
      if (samples.size() < 6) {
        return false;
      }
      List<long[]> last = samples.subList(samples.size() - 6, samples.size());
      boolean same = last.stream().allMatch(s -> Arrays.equals(
          Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(last.get(0), 1, s.length)));
      return same && last.get(0)[2] == connects.sum() && last.get(0)[1] > 0;
    }, "the totals never settled at " + connects.sum() + " connections (last samples: the poller's)");
    polling = false;
    poller.join(5_000);
    JsonObject stats = n1.json("/stats");

    report(clients, agents, stats, trafficStart, trafficEnd);

    assertThat(problems).as("clients that hung or broke").isEmpty();
    for (Client c : clients) {
      assertThat(c.reconnects).as("%s reconnected", c.getName()).isPositive();
      assertThat(c.completedSinceReconnect).as("%s carried on after its last reconnect", c.getName()).isPositive();
    }
    assertThat(closeCodes).as("every close the clients and agents saw was the drain's").allMatch(code -> code == 1001);
    // executions: each ended (none hangs: the client saw its end, or the socket's close ended it)
    assertThat(stats.getJsonObject("toolExecutions").getLong("running")).isZero();
    long[] total = bounds(e -> !e.possible().contains(Outcome.NOT_STARTED), e -> !e.possible().equals(EnumSet.of(Outcome.NOT_STARTED)));
    JsonObject te = stats.getJsonObject("toolExecutions");
    assertThat(te.getLong("total")).as("executions started").isBetween(total[0], total[1]);
    for (Outcome o : List.of(Outcome.COMPLETED, Outcome.FAILED, Outcome.CANCELLED)) {
      long[] b = bounds(e -> e.possible().equals(EnumSet.of(o)), e -> e.possible().contains(o));
      String field = switch (o) {
        case COMPLETED -> "successful";
        case FAILED -> "failed";
        default -> "cancelled";
      };
      assertThat(te.getLong(field)).as("executions %s", field).isBetween(b[0], b[1]);
    }
    long agentFramesMax = agents.stream().mapToLong(a -> a.framesSent).sum();
    long agentFramesMin = agents.stream().mapToLong(a -> a.framesConfirmed).sum() + relayEchoes.sum();
    assertThat(stats.getLong("totalMessages")).as("frames accepted")
        .isBetween(framesCertain.sum() + agentFramesMin, framesCertain.sum() + framesUncertain.sum() + agentFramesMax);
    assertThat(stats.getLong("totalConnections")).as("connections").isEqualTo(connects.sum());
    // never backwards: no answer below what any answer said a replica skew earlier
    for (int k = 1; k < TOTALS.length + 1; k++) {
      long maxBefore = 0;
      int j = 0;
      for (long[] s : samples) {
        while (j < samples.size() && samples.get(j)[0] <= s[0] - REPLICA_SKEW_MS) {
          maxBefore = Math.max(maxBefore, samples.get(j)[k]);
          j++;
        }
        assertThat(s[k]).as("%s at %d ms went below %d", TOTALS[k - 1], s[0], maxBefore).isGreaterThanOrEqualTo(maxBefore);
      }
    }
    // graceful restarts: nobody down, no node-down alert, an alert leader
    assertThat(stats.getInteger("nodesUp")).isEqualTo(3);
    assertThat(stats.getInteger("nodesDown")).as("down nodes: %s", stats.getJsonArray("downNodes")).isZero();
    assertThat(n1.get("/alerts/history").body()).doesNotContain("SwitchboardNodeDown");
    assertThat(n1.json("/alerts/status").getJsonObject("leader")).isNotNull();
  }

  long certainlyCompleted() {
    return execs.stream().filter(e -> e.possible().equals(EnumSet.of(Outcome.COMPLETED))).count();
  }

  long[] bounds(Predicate<Exec> certainly, Predicate<Exec> possibly) {
    return new long[] {execs.stream().filter(certainly).count(), execs.stream().filter(possibly).count()};
  }

  // ---- the figures ----------------------------------------------------------------------------------------

  void report(List<Client> clients, List<Agent> agents, JsonObject stats, long trafficStart, long trafficEnd) {
    System.out.printf("rolling restart of %d nodes under %d clients and %d agents, %.1f s of traffic%n", restarts.size(),
        clients.size(), agents.size(), (trafficEnd - trafficStart) / 1000.0);
    long from = trafficStart;
    for (int i = 0; i <= restarts.size(); i++) {
      long start = from;
      long to = i < restarts.size() ? restarts.get(i).termAt() : trafficEnd;
      String phase = i == 0 ? "before the restarts" : "from " + restarts.get(i - 1).node() + "'s SIGTERM";
      Map<String, Long> ended = new TreeMap<>();
      execs.stream().filter(e -> e.atMs() >= start && e.atMs() < to).forEach(e -> ended.merge(
          e.possible().size() == 1 ? e.possible().iterator().next().name() : "in flight at a close", 1L, Long::sum));
      System.out.printf("  phase %-22s %5.1f s: executions ended %s, %.1f completed/s%n", phase, (to - start) / 1000.0,
          ended, ended.getOrDefault("COMPLETED", 0L) * 1000.0 / Math.max(1, to - start));
      from = to;
    }
    for (Restart r : restarts) {
      List<Long> hit = new ArrayList<>();
      gaps.stream().filter(g -> g[0] >= r.termAt() && g[0] <= r.readyAt()).forEach(g -> hit.add(g[1]));
      List<Long> agentHit = new ArrayList<>();
      agentGaps.stream().filter(g -> g[0] >= r.termAt() && g[0] <= r.readyAt()).forEach(g -> agentHit.add(g[1]));
      System.out.printf("  %s: SIGTERM to exit %d ms (code %d), start to ready %d ms; %d client reconnects, client gap "
              + "(close to next completed transaction, 0.5-1 s back-off included) max %d ms mean %d ms; agent gaps %s ms%n",
          r.node(), r.exitAt() - r.termAt(), r.exitCode(), r.readyAt() - r.exitAt(), hit.size(),
          hit.stream().mapToLong(Long::longValue).max().orElse(0),
          (long) hit.stream().mapToLong(Long::longValue).average().orElse(0), agentHit);
    }
    for (Client c : clients) {
      System.out.printf("  %s: %d completed, %d reconnects, %d completed after its last reconnect%n", c.getName(),
          c.completed, c.reconnects, c.completedSinceReconnect);
    }
    Map<Integer, Long> codes = new TreeMap<>();
    closeCodes.forEach(code -> codes.merge(code, 1L, Long::sum));
    long ambiguous = execs.stream().filter(e -> e.possible().size() > 1).count();
    System.out.printf("  close codes seen %s; agent reconnects %d; TOOL_NOT_FOUND before any execution %d%n", codes,
        agents.stream().mapToInt(a -> a.reconnects).sum(), toolNotFound.sum());
    System.out.printf("  executions seen by clients %d (%d with an outcome the client cannot know: in flight at a close)%n",
        execs.size(), ambiguous);
    JsonObject te = stats.getJsonObject("toolExecutions");
    System.out.printf("  /stats: totalMessages %d (clients certain %d + in flight at a close %d, agents %d..%d), "
            + "totalConnections %d (clients and agents connected %d), executions %s%n",
        stats.getLong("totalMessages"), framesCertain.sum(), framesUncertain.sum(),
        agents.stream().mapToLong(a -> a.framesConfirmed).sum() + relayEchoes.sum(),
        agents.stream().mapToLong(a -> a.framesSent).sum(), stats.getLong("totalConnections"), connects.sum(), te.encode());
    long dips = 0;
    long maxDip = 0;
    long[] best = new long[TOTALS.length + 1];
    for (long[] s : samples) {
      for (int k = 1; k < s.length; k++) {
        if (s[k] < best[k]) {
          dips++;
          maxDip = Math.max(maxDip, best[k] - s[k]);
        }
        best[k] = Math.max(best[k], s[k]);
      }
    }
    System.out.printf("  /stats polled %d times on surviving nodes (%d refused); answers below an earlier answer: %d "
        + "(largest %d, replica skew)%n", samples.size(), statsRefused.sum(), dips, maxDip);
  }

  // ---- /stats on a surviving node, every 250 ms -----------------------------------------------------------

  void pollStats() {
    int k = 0;
    while (polling) {
      int slot = k++ % nodes.size();
      if (slot != restarting) {
        NodeProcess.Response r = nodes.get(slot).get("/stats");
        if (r.status() == 200) {
          JsonObject s = new JsonObject(r.body());
          JsonObject te = s.getJsonObject("toolExecutions");
          samples.add(new long[] {now(), s.getLong("totalMessages"), s.getLong("totalConnections"), te.getLong("total"),
              te.getLong("successful"), te.getLong("failed"), te.getLong("cancelled")});
        } else {
          statsRefused.increment();
        }
      }
      pause(250);
    }
  }

  /**
   * Pacing only, never a wait for a condition: the client's reconnect back-off (the documented contract), the
   * traffic pace and the /stats sampling interval.
   */
  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Connects following the contract: to {@code preferred} at first; after a close, to another node picked at
   * random (as a Service would), then to any, doubling the back-off (from 1 s, cap 30 s) after a round with none.
   */
  HaipClient connect(int preferred, int avoid, Random rnd, int[] slotOut, BooleanSupplier go) {
    int n = nodes.size();
    int first = avoid < 0 ? preferred : (avoid + 1 + rnd.nextInt(n - 1)) % n;
    long backoff = 1_000;
    for (int round = 0; go.getAsBoolean(); round++) {
      for (int k = 0; k < n; k++) {
        int s = (first + k) % n;
        if (round == 0 && s == avoid) {
          continue;
        }
        try {
          HaipClient c = HaipClient.connect(nodes.get(s).httpPort);
          connects.increment();
          slotOut[0] = s;
          return c;
        } catch (RuntimeException e) {
          // refused (draining: 503) or not listening: the next one
        }
      }
      pause(backoff);
      backoff = Math.min(30_000, backoff * 2);
    }
    return null;
  }

  static String type(JsonObject f) {
    return f.getString("type");
  }

  static JsonObject payload(JsonObject f) {
    return f.getValue("payload") instanceof JsonObject p ? p : new JsonObject();
  }

  /** The hub ended this transaction as FAILED: an ERROR naming it, or its TRANSACTION_END with status FAILED. */
  static boolean failed(JsonObject f, String tx) {
    return tx.equals(f.getString("transaction")) && ("ERROR".equals(type(f))
        || ("TRANSACTION_END".equals(type(f)) && "FAILED".equals(payload(f).getString("status"))));
  }

  // ---- a client: transactions one after another, reconnecting on a close ----------------------------------

  final class Client extends Thread {
    final Random rnd;
    int slot;
    int reconnects;
    volatile int completed;
    volatile int completedSinceReconnect;
    private HaipClient c;
    private long sent;
    private long confirmed;
    private long txCount;
    private long msgCount;

    Client(String name, int slot, Random rnd) {
      super(name);
      this.slot = slot;
      this.rnd = rnd;
    }

    @Override
    public void run() {
      int avoid = -1;
      long closedAt = -1;
      int[] at = new int[1];
      try {
        while (clientsRunning) {
          c = connect(slot, avoid, rnd, at, () -> clientsRunning);
          if (c == null) {
            return;
          }
          slot = at[0];
          sent = 0;
          confirmed = 0;
          try {
            c.handshake(null);
            sent++;
            while (clientsRunning) {
              if (transaction()) {
                completedSinceReconnect++;
                if (closedAt >= 0) {
                  gaps.add(new long[] {closedAt, now() - closedAt});
                  closedAt = -1;
                }
              }
            }
            assertThat(confirmed).as("%s: every frame answered before the end", getName()).isEqualTo(sent);
            framesCertain.add(sent);
            c.close();
          } catch (HaipClient.Closed e) {
            closeCodes.add(e.code);
            framesCertain.add(confirmed);
            framesUncertain.add(sent - confirmed);
            reconnects++;
            completedSinceReconnect = 0;
            if (closedAt < 0) {
              closedAt = now();
            }
            avoid = slot;
            pause(500 + rnd.nextInt(501));
          }
        }
      } catch (Throwable e) {
        problems.add(getName() + " on " + nodes.get(slot).name + ": " + e);
      }
    }

    private long send(JsonObject frame) {
      c.send(frame);
      return ++sent;
    }

    private void ended(String tool, EnumSet<Outcome> possible, String how) {
      execs.add(new Exec(tool, now(), possible, how));
    }

    /** One transaction: START, messages echoed one by one, END then PING (its PONG confirms the END). */
    private boolean transaction() {
      String tool = txCount++ % 2 == 0 ? "echo" : TOOL;
      String ref = UUID.randomUUID().toString();
      JsonObject start = c.frame("TRANSACTION_START", ref, new JsonObject().put("toolName", tool), "USER");
      long startIdx = send(start);
      JsonObject r;
      try {
        r = c.await(f -> ("TRANSACTION_START".equals(type(f)) && ref.equals(payload(f).getString("referenceId")))
            || ("ERROR".equals(type(f)) && start.getString("id").equals(payload(f).getString("related_id"))),
            AWAIT, "answer to TRANSACTION_START");
      } catch (HaipClient.Closed e) {
        // not processed, or processed and then cancelled by the close (anything else would have been sent first)
        ended(tool, e.code == 1001 ? EnumSet.of(Outcome.NOT_STARTED, Outcome.CANCELLED) : EnumSet.allOf(Outcome.class), "closed");
        throw e;
      }
      confirmed = startIdx;
      if ("ERROR".equals(type(r))) {
        String code = payload(r).getString("code");
        if ("TOOL_NOT_FOUND".equals(code) && payload(r).getString("message", "").startsWith("no tool named")) {
          toolNotFound.increment(); // refused by the directory: no execution was created
        } else {
          ended(tool, EnumSet.of(Outcome.FAILED), code);
        }
        pause(100);
        return false;
      }
      String tx = r.getString("transaction");
      boolean endSent = false;
      try {
        for (int i = 0; i < MESSAGES_PER_TX; i++) {
          String text = getName() + "#" + (++msgCount);
          JsonObject m = c.frame("MESSAGE", tx, text, "USER");
          long idx = send(m);
          JsonObject a = c.await(f -> failed(f, tx) || ("MESSAGE".equals(type(f)) && tx.equals(f.getString("transaction"))
              && text.equals(f.getValue("payload"))), AWAIT, "echo of " + text + " (" + tool + ")");
          if (failed(a, tx)) {
            ended(tool, EnumSet.of(Outcome.FAILED), payload(a).getString("code", "FAILED"));
            return false;
          }
          confirmed = idx;
          if (TOOL.equals(tool)) {
            relayEchoes.increment();
          }
          pause(PACE_MS);
        }
        send(c.frame("TRANSACTION_END", tx, new JsonObject(), "USER"));
        endSent = true;
        String nonce = UUID.randomUUID().toString();
        long pingIdx = send(c.frame("PING", null, new JsonObject().put("nonce", nonce), "SYSTEM"));
        JsonObject a = c.await(f -> failed(f, tx) || ("PONG".equals(type(f)) && nonce.equals(payload(f).getString("nonce"))),
            AWAIT, "PONG after TRANSACTION_END (" + tool + ")");
        if (failed(a, tx)) {
          // failed before our END was processed; the PONG follows and confirms our frames
          ended(tool, EnumSet.of(Outcome.FAILED), payload(a).getString("code", "FAILED"));
          c.await(f -> "PONG".equals(type(f)) && nonce.equals(payload(f).getString("nonce")), AWAIT, "PONG");
          confirmed = pingIdx;
          return false;
        }
        confirmed = pingIdx;
        ended(tool, EnumSet.of(Outcome.COMPLETED), "END");
        completed++;
        return true;
      } catch (HaipClient.Closed e) {
        EnumSet<Outcome> possible = endSent ? EnumSet.of(Outcome.COMPLETED, Outcome.CANCELLED) : EnumSet.of(Outcome.CANCELLED);
        if (e.code != 1001 && TOOL.equals(tool)) {
          possible.add(Outcome.FAILED);
        }
        ended(tool, possible, "closed " + e.code);
        throw e;
      }
    }
  }

  // ---- an agent offering the tool, reconnecting on a close -------------------------------------------------

  final class Agent extends Thread {
    final Random rnd = new Random();
    int slot;
    volatile boolean serving;
    int reconnects;
    long framesSent;
    long framesConfirmed;

    Agent(String name, int slot) {
      super(name);
      this.slot = slot;
    }

    @Override
    public void run() {
      int avoid = -1;
      long closedAt = -1;
      int[] at = new int[1];
      try {
        while (agentsRunning) {
          HaipClient a = connect(slot, avoid, rnd, at, () -> agentsRunning);
          if (a == null) {
            return;
          }
          slot = at[0];
          long sent = 0;
          boolean confirmedHai = false;
          try {
            a.agent(TOOL);
            sent++;
            String nonce = UUID.randomUUID().toString();
            a.send(a.frame("PING", null, new JsonObject().put("nonce", nonce), "SYSTEM"));
            sent++;
            a.await(f -> "PONG".equals(type(f)) && nonce.equals(payload(f).getString("nonce")), AWAIT, "PONG");
            confirmedHai = true;
            serving = true;
            if (closedAt >= 0) {
              agentGaps.add(new long[] {closedAt, now() - closedAt});
              closedAt = -1;
            }
            // serve until the socket closes or the test stops the agents
            CompletableFuture.anyOf(a.whenClosed(), agentsStopped).join();
            if (a.isClosed()) {
              throw new HaipClient.Closed(a.closeCode(), "while serving");
            }
            a.close();
          } catch (HaipClient.Closed e) {
            closeCodes.add(e.code);
            reconnects++;
            closedAt = now();
            avoid = slot;
            pause(500 + rnd.nextInt(501));
          } finally {
            framesSent += sent + a.agentReplies.get();
            framesConfirmed += confirmedHai ? 2 : 0;
          }
        }
      } catch (Throwable e) {
        problems.add(getName() + ": " + e);
      }
    }
  }
}
