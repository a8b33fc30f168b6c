package io.switchboard.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One event loop's share of a run: its sessions, agents and subscribers, their clients (one per source address),
 * its stats and the open-loop ticker. Everything here runs on {@link #ctx}; the coordinator talks to it with
 * {@code ctx.runOnContext}.
 */
final class Worker {
  enum Phase { RAMP, WARMUP, MEASURE, DRAIN, DONE }

  final int id;
  final LoadOptions opt;
  final Context ctx;
  final WorkerStats stats = new WorkerStats();
  /** Monitor scenario: delivery latency to subscribers, in microseconds. */
  final org.HdrHistogram.Histogram monitorUs = new org.HdrHistogram.Histogram(3_600_000_000L, 3);
  final String payload;
  final List<WebSocketClient> clients = new ArrayList<>();
  final List<Session> sessions = new ArrayList<>();
  final List<Session> agents = new ArrayList<>();
  final List<Subscriber> subscribers = new ArrayList<>();
  final Shared shared;
  Phase phase = Phase.RAMP;
  long measureStart = Long.MAX_VALUE;
  long measureEnd = Long.MAX_VALUE;
  // open loop
  long scheduleStart;
  long scheduled;
  double perNanoRate;
  /** This worker's share of the total rate (messages/s), in proportion to its sessions. */
  double perWorkerRate;
  int nextSession;
  long timerId = -1;
  volatile int pendingConnects;
  private int clientIndex;

  /** State shared by the workers of a run (the monitor driver's send times). */
  static final class Shared {
    /** Send times of the latest driver messages, by message number modulo the ring's size. */
    private static final int RING = 1 << 17;
    private final AtomicLongArray driverSendNanos = new AtomicLongArray(RING);
    volatile String executionId;

    void driverSent(long n, long nanos) {
      driverSendNanos.set((int) (n & (RING - 1)), nanos);
    }

    /** The send time of driver message {@code n}, 0 when unknown. */
    long driverSend(long n) {
      return driverSendNanos.get((int) (n & (RING - 1)));
    }
  }

  Worker(int id, Vertx vertx, LoadOptions opt, Shared shared) {
    this.id = id;
    this.opt = opt;
    this.ctx = vertx.getOrCreateContext();
    this.payload = Haip.payloadOfSize(opt.messageSize);
    this.shared = shared;
    int perClient = opt.sessions + opt.agents + opt.subscribers + 16;
    List<String> sources = opt.sourceAddresses.isEmpty() ? Collections.singletonList(null) : opt.sourceAddresses;
    for (String source : sources) {
      WebSocketClientOptions o = new WebSocketClientOptions()
          .setMaxConnections(perClient)
          .setConnectTimeout(30_000)
          .setMaxFrameSize(Math.max(65536, opt.messageSize * 2 + 4096))
          .setMaxMessageSize(Math.max(262144, opt.messageSize * 4 + 8192))
          .setTryUsePerMessageCompression(false)
          .setTryUsePerFrameCompression(false)
          .setShared(false);
      if (source != null) {
        o.setLocalAddress(source);
      }
      clients.add(vertx.createWebSocketClient(o));
    }
  }

  /** The next client in turn, spreading sockets over the source addresses. */
  WebSocketClient nextClient() {
    WebSocketClient c = clients.get(clientIndex % clients.size());
    clientIndex++;
    return c;
  }

  boolean recording(long sentNanos) {
    return sentNanos >= measureStart && sentNanos < measureEnd;
  }

  boolean sending(long now) {
    return (phase == Phase.RAMP || phase == Phase.WARMUP || phase == Phase.MEASURE) && now < measureEnd;
  }

  /** A round trip completed: {@code sent} is the actual (closed loop) or intended (open loop) send time. */
  void roundTrip(long sent, long now) {
    if (recording(sent)) {
      stats.latencyUs.recordValue(Math.max(0, (now - sent) / 1000));
    }
    if (now >= measureStart && now < measureEnd) {
      stats.roundTrips++;
    }
  }

  void startOpenLoop(long start) {
    if (opt.rate <= 0 || opt.scenario == LoadOptions.Scenario.idle) {
      return;
    }
    perNanoRate = perWorkerRate / 1e9;
    scheduleStart = start;
    scheduled = 0;
    timerId = ctx.owner().setPeriodic(1, t -> tick());
  }

  private void tick() {
    long now = System.nanoTime();
    if (!sending(now)) {
      return;
    }
    // slots whose intended time (scheduleStart + k / rate) has come: k = 0 .. floor(elapsed * rate)
    long due = (long) ((now - scheduleStart) * perNanoRate) + 1;
    int n = sessions.size();
    while (scheduled < due) {
      long intended = scheduleStart + (long) (scheduled / perNanoRate);
      scheduled++;
      Session s = null;
      for (int i = 0; i < n; i++) {
        Session c = sessions.get(nextSession++ % n);
        if (c.ready()) {
          s = c;
          break;
        }
      }
      if (s == null) {
        stats.error("NO_READY_SESSION");
        continue;
      }
      s.send(intended);
    }
  }

  void stopTimer() {
    if (timerId >= 0) {
      ctx.owner().cancelTimer(timerId);
      timerId = -1;
    }
  }

  long outstanding() {
    long n = 0;
    for (Session s : sessions) {
      n += s.inFlight();
    }
    return n;
  }

  static URI ws(URI u) {
    return u;
  }
}
