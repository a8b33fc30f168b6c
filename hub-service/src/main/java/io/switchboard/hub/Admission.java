package io.switchboard.hub;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.metrics.NodeCounters;
import io.switchboard.hub.session.PendingHandshakes;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Node-wide admission of WebSocket upgrades (HAIP and monitor): open sockets against hub.maxConnections and sockets
 * that have not completed their handshake against hub.maxPendingHandshakes and hub.maxPendingHandshakesPerAddress.
 * Accounting shared by every event loop: an atomic count and {@link PendingHandshakes}, written only here.
 */
final class Admission {
  /** An admitted socket's pending-handshake slot, or the refusal's error code and message. */
  record Result(PendingHandshakes.Slot slot, String code, String message) {
    boolean admitted() {
      return slot != null;
    }
  }

  private final HubSettings settings;
  private final NodeCounters counters;
  private final AtomicInteger open = new AtomicInteger();
  private final PendingHandshakes pending;

  Admission(HubSettings settings, NodeCounters counters, MeterRegistry registry) {
    this.settings = settings;
    this.counters = counters;
    this.pending = new PendingHandshakes(settings.maxPendingHandshakes(), settings.maxPendingHandshakesPerAddress());
    // the limit next to the count, so a Prometheus rule can alert at a share of it without knowing the setting
    Gauge.builder("switchboard.connections.limit", settings, s -> s.maxConnections())
        .description("hub.maxConnections: WebSocket upgrades beyond this many open sessions are refused with HTTP 503")
        .register(registry);
  }

  /** Takes a place for an upgrade from {@code address}; a refusal is counted. */
  Result admit(String address) {
    int max = settings.maxConnections();
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      return refused(ErrorCodes.CONNECTION_LIMIT, "connection limit reached: hub.maxConnections=" + max);
    }
    PendingHandshakes.Result slot = pending.tryAcquire(address);
    if (slot.slot() == null) {
      open.decrementAndGet();
      return refused(ErrorCodes.HANDSHAKE_LIMIT, slot.refusal() == PendingHandshakes.Refusal.NODE
          ? "too many connections awaiting their handshake: hub.maxPendingHandshakes=" + settings.maxPendingHandshakes()
          : "too many connections from this address awaiting their handshake: hub.maxPendingHandshakesPerAddress="
              + settings.maxPendingHandshakesPerAddress());
    }
    return new Result(slot.slot(), null, null);
  }

  private Result refused(String code, String message) {
    counters.connectionRefused();
    counters.error(code);
    return new Result(null, code, message);
  }

  /** An admitted socket closed, or its upgrade failed: its place is free. */
  void left() {
    open.decrementAndGet();
  }
}
