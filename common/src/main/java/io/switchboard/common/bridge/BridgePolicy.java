package io.switchboard.common.bridge;

import io.switchboard.common.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import java.util.List;
import java.util.Set;

/**
 * The address check both bridges apply to a client's message before Vert.x's bridge acts on it (docs/operations.md,
 * Bridges), and the permission lists handed to Vert.x's bridges. Pure.
 */
public final class BridgePolicy {
  /** The outcome of one check. */
  public sealed interface Verdict {
    /** The message may pass. */
    record Pass() implements Verdict {}

    /** The message is refused: its address (or body) is not open; {@code addressClass} labels the count. */
    record Refused(AddressClass addressClass) implements Verdict {}

    /** The message is refused for bad input (no address). */
    record Bad(BridgeMetrics.Reason reason) implements Verdict {}
  }

  private static final Verdict PASS = new Verdict.Pass();

  private final BridgeSettings settings;

  public BridgePolicy(BridgeSettings settings) {
    this.settings = settings;
  }

  public BridgeSettings settings() {
    return settings;
  }

  /**
   * Checks one message a client sent ({@code raw} as the bridge decoded it; size and rate were bounded before it
   * was decoded): SEND and PUBLISH need an inbound address (and on the alerts query a read), REGISTER an outbound
   * one; tool and node addresses and silence writes never pass.
   */
  public Verdict permitted(BridgeEventType type, JsonObject raw) {
    if (raw == null) {
      return new Verdict.Bad(BridgeMetrics.Reason.MALFORMED);
    }
    Object a = raw.getValue("address");
    if (!(a instanceof String address)) {
      return new Verdict.Bad(BridgeMetrics.Reason.MALFORMED);
    }
    switch (type) {
      case SEND, PUBLISH -> {
        AddressClass c = AddressClass.of(address, raw.getValue("body"));
        if (c != AddressClass.OTHER || !settings.inbound().contains(address)) {
          return new Verdict.Refused(c);
        }
      }
      case REGISTER -> {
        AddressClass c = AddressClass.of(address);
        if (c != AddressClass.OTHER || !settings.outbound().contains(address)) {
          return new Verdict.Refused(c);
        }
      }
      default -> {
      }
    }
    return PASS;
  }

  /** Whether a client's SEND, PUBLISH, REGISTER or UNREGISTER may pass; a refusal is counted in {@code metrics}. */
  public boolean admit(BridgeEventType type, JsonObject raw, BridgeMetrics metrics) {
    Verdict v = permitted(type, raw);
    if (v instanceof Verdict.Refused r) {
      metrics.refused(r.addressClass());
      return false;
    }
    if (v instanceof Verdict.Bad b) {
      metrics.error(b.reason());
      return false;
    }
    return true;
  }

  /** The addresses whose SEND is a read (the dashboard's queries): every other SEND or PUBLISH is a write. */
  static final Set<String> READS = Set.of(Addresses.STATS_QUERY, Addresses.ALERTS_QUERY);

  /**
   * Whether a client's message needs an admin credential (docs/operations.md, Authentication): a SEND or PUBLISH to
   * any address other than the read queries (a write).
   */
  public static boolean needsAdmin(BridgeEventType type, JsonObject raw) {
    return (type == BridgeEventType.SEND || type == BridgeEventType.PUBLISH) && raw != null
        && !(raw.getValue("address") instanceof String a && READS.contains(a));
  }

  /** Vert.x's own permission lists, set to the same addresses: a second fence behind {@link #inbound}. */
  public <T extends BridgeOptions> T permit(T options) {
    options.setInboundPermitteds(List.copyOf(settings.inbound().stream().map(a -> new PermittedOptions().setAddress(a)).toList()));
    options.setOutboundPermitteds(List.copyOf(settings.outbound().stream().map(a -> new PermittedOptions().setAddress(a)).toList()));
    return options;
  }
}
