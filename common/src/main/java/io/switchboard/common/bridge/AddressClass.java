package io.switchboard.common.bridge;

import io.switchboard.common.Addresses;
import io.switchboard.common.hub.HubAddresses;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * The class of an address a bridge client named, for the {@code address_class} label of refusals
 * (docs/operations.md, Bridges): tool addresses, a node's own or the hub's internal addresses, silence writes on the
 * alerts query address, and anything else.
 */
public enum AddressClass {
  TOOL, NODE, SILENCE, OTHER;

  /** The reads {@link Addresses#ALERTS_QUERY} answers; every other {@code what} is a silence command. */
  static final Set<String> ALERT_READS = Set.of("active", "history", "rules", "silences", "status");

  /** Internal addresses: the hub's own, and the alert replicas' reload signal (an admin action). */
  private static final Set<String> HUB_INTERNAL = Set.of(HubAddresses.ANNOUNCE, HubAddresses.MONITOR_INTEREST,
      Addresses.ALERTS_RELOAD);
  private static final String NODE_PREFIX = "switchboard.node.";

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The class of an address alone: what the bridges never open, whatever the configuration says. */
  public static AddressClass of(String address) {
    if (address == null) {
      return OTHER;
    }
    if (address.startsWith(Addresses.TOOL_PREFIX)) {
      return TOOL;
    }
    if (address.startsWith(NODE_PREFIX) || HUB_INTERNAL.contains(address)) {
      return NODE;
    }
    return OTHER;
  }

  /** The class of an inbound message: a body on the alerts query address that is not a read is a silence write. */
  public static AddressClass of(String address, Object body) {
    AddressClass c = of(address);
    if (c == OTHER && Addresses.ALERTS_QUERY.equals(address) && !isAlertRead(body)) {
      return SILENCE;
    }
    return c;
  }

  /** A read of the alerts query address: a JSON object whose only field is {@code what}, one of the reads. */
  static boolean isAlertRead(Object body) {
    return body instanceof JsonObject o && o.size() == 1 && o.getValue("what") instanceof String w
        && ALERT_READS.contains(w);
  }
}
