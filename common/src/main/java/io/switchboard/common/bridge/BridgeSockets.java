package io.switchboard.common.bridge;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's open bridge sockets, SockJS and TCP together, bounded by {@code bridge.maxSockets}
 * (docs/operations.md, Bridge limits). The one writer of its count; any event loop may call it.
 */
public final class BridgeSockets {
  private final AtomicInteger open = new AtomicInteger();
  private final int max;

  public BridgeSockets(int max, MeterRegistry registry) {
    this.max = max;
    Gauge.builder("switchboard.bridge.sockets", open, AtomicInteger::get)
        .description("Open event-bus bridge sockets (SockJS and TCP)").register(registry);
  }

  /** Takes a place for a new socket; false, and nothing taken, when {@code bridge.maxSockets} are open. */
  public boolean tryOpen() {
    while (true) {
      int n = open.get();
      if (n >= max) {
        return false;
      }
      if (open.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives back the place of a socket that {@link #tryOpen} admitted. */
  public void closed() {
    open.decrementAndGet();
  }
}
