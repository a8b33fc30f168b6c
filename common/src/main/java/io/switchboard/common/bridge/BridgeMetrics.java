package io.switchboard.common.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The counters of one bridge ({@code bridge} label {@code sockjs} or {@code tcp}): refusals by address class
 * ({@code switchboard_bridge_refused_total}) and bad input by reason ({@code switchboard_bridge_errors_total}).
 * Micrometer counters are safe to increment from any event loop.
 */
public final class BridgeMetrics {
  /** Why a bridge refused or cut a client's input. */
  public enum Reason {
    MALFORMED, TOO_LARGE, RATE_LIMITED, SLOW_CONSUMER, SOCKET_LIMIT,
    /** A write or a hub-event registration without the credential it needs, or a refused credential. */
    UNAUTHORIZED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<AddressClass, Counter> refused = new EnumMap<>(AddressClass.class);
  private final Map<Reason, Counter> errors = new EnumMap<>(Reason.class);

  public BridgeMetrics(MeterRegistry registry, String bridge) {
    for (AddressClass c : AddressClass.values()) {
      refused.put(c, Counter.builder("switchboard.bridge.refused").tag("bridge", bridge).tag("address_class", c.label())
          .description("Bridge messages refused because their address (or, on the alerts query, their body) is not open")
          .register(registry));
    }
    for (Reason r : Reason.values()) {
      errors.put(r, Counter.builder("switchboard.bridge.errors").tag("bridge", bridge).tag("reason", r.label())
          .description("Bridge input refused or sockets cut: malformed JSON, oversized frames, floods, clients that do not read, sockets over bridge.maxSockets, input without the credential it needs")
          .register(registry));
    }
  }

  public void refused(AddressClass c) {
    refused.get(c).increment();
  }

  public void error(Reason r) {
    errors.get(r).increment();
  }
}
