package io.switchboard.hub;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The transactions one HAIP session takes part in: those it started (client side) and those it serves (provider
 * side). Owned by the session's event loop, like the rest of the session; the maps are made on first use (most
 * sessions are on one side only).
 */
final class SessionTxs {
  private Map<String, ClientTx> started;
  private Map<String, ProviderTx> served;

  ClientTx started(String txId) {
    return started == null || txId == null ? null : started.get(txId);
  }

  ProviderTx served(String txId) {
    return served == null || txId == null ? null : served.get(txId);
  }

  void add(ClientTx ct) {
    if (started == null) {
      started = new HashMap<>(4);
    }
    started.put(ct.id, ct);
  }

  void add(ProviderTx pt) {
    if (served == null) {
      served = new HashMap<>(4);
    }
    served.put(pt.id, pt);
  }

  /** True when {@code ct} was one of this session's and is no longer. */
  boolean remove(ClientTx ct) {
    return started != null && started.remove(ct.id, ct);
  }

  /** True when {@code pt} was one this session served and no longer does. */
  boolean remove(ProviderTx pt) {
    return served != null && served.remove(pt.id, pt);
  }

  int startedCount() {
    return started == null ? 0 : started.size();
  }

  /** A copy: ending them changes the map. */
  List<ClientTx> allStarted() {
    return started == null ? List.of() : List.copyOf(started.values());
  }

  /** A copy: ending them changes the map. */
  List<ProviderTx> allServed() {
    return served == null ? List.of() : List.copyOf(served.values());
  }
}
