package io.switchboard.hub;

import io.vertx.core.Context;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The monitor frames on their way to the /ws sockets of one event loop, in the order the monitor verticle's context
 * handed them over ({@link Monitors}, {@link Subscribers}). The loop takes them in one task: it writes each frame to
 * its sockets in that order without flushing, then flushes each socket it wrote to once. A loop that keeps up writes
 * each frame as it comes; one that lags sends what piled up for a socket in one write, not one per frame
 * (docs/monitor.md, Limits and liveness). Any thread may add; only the loop writes.
 */
final class FanoutQueue {
  /** Frames written per task at most, so that the loop's other work (HAIP sessions) gets its turn between. */
  static final int BATCH_MAX = 512;

  /** A socket of the loop, as the queue writes to it ({@link MonitorSession}). */
  interface Socket {
    /** Writes {@code frame} or holds it; true when what was written waits for {@link #flush}. */
    boolean offer(SharedFrame frame);

    /** Sends what {@link #offer} wrote. */
    void flush();
  }

  /** A frame and the sockets of this loop it goes to. */
  private record Entry(SharedFrame frame, Socket[] to) {}

  private final Context ctx;
  private final ConcurrentLinkedQueue<Entry> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Sockets written to in the current task, flushed at its end (the loop only). */
  private final Set<Socket> written = new LinkedHashSet<>();

  FanoutQueue(Context ctx) {
    this.ctx = ctx;
  }

  /** Hands {@code frame} to the sockets {@code to} (all of this queue's loop), after every frame handed before it. */
  void add(SharedFrame frame, Socket[] to) {
    waiting.add(new Entry(frame, to));
    if (scheduled.compareAndSet(false, true)) {
      ctx.runOnContext(v -> drain());
    }
  }

  private void drain() {
    scheduled.set(false);
    Entry e;
    for (int n = 0; n < BATCH_MAX && (e = waiting.poll()) != null; n++) {
      for (Socket m : e.to()) {
        if (m.offer(e.frame())) {
          written.add(m);
        }
      }
    }
    written.forEach(Socket::flush);
    written.clear();
    if (!waiting.isEmpty() && scheduled.compareAndSet(false, true)) {
      ctx.runOnContext(v -> drain());
    }
  }
}
