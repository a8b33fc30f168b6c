package io.switchboard.common.bridge;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import java.util.List;

/**
 * The checks both bridges apply to a client's message before Vert.x's bridge acts on it (docs/operations.md,
 * Bridges): a per-socket rate, the message size, and the open addresses. Pure apart from the {@link SocketBudget}
 * it is handed; callers run it on the socket's context.
 */
public final class BridgePolicy {
  /** The outcome of one check. */
  public sealed interface Verdict {
    /** The message may pass. */
    record Pass() implements Verdict {}

    /** The message is refused: its address (or body) is not open; {@code addressClass} labels the count. */
    record Refused(AddressClass addressClass) implements Verdict {}

    /** The message is refused for bad input; {@code close} when the socket is to be cut as well. */
    record Bad(BridgeMetrics.Reason reason, boolean close) implements Verdict {}
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
   * Checks one message a client sent: {@code raw} as the bridge decoded it. Only SEND, PUBLISH, REGISTER and
   * UNREGISTER are the client's own; other event types pass.
   */
  public Verdict inbound(BridgeEventType type, JsonObject raw, SocketBudget budget, long nowMs) {
    if (type != BridgeEventType.SEND && type != BridgeEventType.PUBLISH && type != BridgeEventType.REGISTER
        && type != BridgeEventType.UNREGISTER) {
      return PASS;
    }
    SocketBudget.Rate rate = budget.take(nowMs, settings.rateLimit(), settings.rateLimitCloseAfter());
    if (rate != SocketBudget.Rate.ALLOW) {
      return new Verdict.Bad(BridgeMetrics.Reason.RATE_LIMITED, rate == SocketBudget.Rate.CLOSE);
    }
    if (raw == null) {
      return new Verdict.Bad(BridgeMetrics.Reason.MALFORMED, false);
    }
    if (raw.toBuffer().length() > settings.maxMessageBytes()) {
      return new Verdict.Bad(BridgeMetrics.Reason.TOO_LARGE, true);
    }
    return permitted(type, raw);
  }

  /**
   * The address check alone, for a bridge whose rate and size are bounded below it: SEND and PUBLISH need an inbound
   * address (and on the alerts query a read), REGISTER an outbound one; tool and node addresses and silence writes
   * never pass.
   */
  public Verdict permitted(BridgeEventType type, JsonObject raw) {
    if (raw == null) {
      return new Verdict.Bad(BridgeMetrics.Reason.MALFORMED, false);
    }
    Object a = raw.getValue("address");
    if (!(a instanceof String address)) {
      return new Verdict.Bad(BridgeMetrics.Reason.MALFORMED, false);
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

  /** Vert.x's own permission lists, set to the same addresses: a second fence behind {@link #inbound}. */
  public <T extends BridgeOptions> T permit(T options) {
    options.setInboundPermitteds(List.copyOf(settings.inbound().stream().map(a -> new PermittedOptions().setAddress(a)).toList()));
    options.setOutboundPermitteds(List.copyOf(settings.outbound().stream().map(a -> new PermittedOptions().setAddress(a)).toList()));
    return options;
  }
}
