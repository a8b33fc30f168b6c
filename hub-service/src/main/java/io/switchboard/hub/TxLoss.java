package io.switchboard.hub;

/**
 * What ends transactions from outside their frames: a session's socket closing, a cluster member leaving,
 * hub.execution.timeout, and memory pressure on replay windows (hub.memory.budget). The sweeps run on the hub
 * verticle's context and the cluster's membership events on the cluster verticle's; each finds the transactions
 * on the routing board and acts on the holding session's event loop.
 */
final class TxLoss {
  private final Hub rt;
  private final TxRouting routing;
  private final ClientSide clients;
  private final ProviderSide providers;

  TxLoss(Hub rt, TxRouting routing, ClientSide clients, ProviderSide providers) {
    this.rt = rt;
    this.routing = routing;
    this.clients = clients;
    this.providers = providers;
  }

  /** A session closed (its own loop): what it started is CANCELLED, what it served loses its provider. */
  void sessionClosed(HaipSession s) {
    for (ClientTx ct : s.txs.allStarted()) {
      clients.clientGone(ct);
    }
    for (ProviderTx pt : s.txs.allServed()) {
      providers.agentGone(pt);
    }
  }

  /** A cluster member left: what it served fails PROVIDER_LOST, what it asked for is cancelled at its agent. */
  void memberLeft(String clusterNodeId) {
    routing.forEachStarted(ct -> Hub.on(ct.client.ctx, () -> {
      if (clusterNodeId.equals(ct.providerClusterNode)) {
        clients.providerLost(ct);
      }
    }));
    routing.forEachServed(pt -> {
      if (clusterNodeId.equals(pt.clientClusterNode)) {
        Hub.on(pt.agent.ctx, () -> providers.cancel(pt, "client node left"));
      }
    });
  }

  /** Fails executions older than hub.execution.timeout. */
  void timeouts(long nowMs) {
    long timeout = rt.settings.executionTimeoutMs();
    routing.forEachStarted(ct -> {
      if (nowMs - ct.startedAtMs > timeout) {
        Hub.on(ct.client.ctx, () -> clients.timedOut(ct, timeout));
      }
    });
  }

  /**
   * Memory pressure tick (hub.memory.budget): moves the budget's age cutoff and, above its high-water mark, sheds
   * every window to it, each on its own event loop, so the oldest replay frames leave first across the node.
   */
  void memorySweep(long nowMs) {
    long cutoff = rt.memory.adjust(nowMs);
    if (cutoff <= 0 || rt.memory.replayBytes() == 0) {
      return;
    }
    routing.forEachStarted(ct -> Hub.on(ct.client.ctx, () -> ct.replay.shed(cutoff, System.currentTimeMillis())));
    routing.forEachServed(pt -> Hub.on(pt.agent.ctx, () -> pt.replay.shed(cutoff, System.currentTimeMillis())));
  }

  /** Transactions of this node's clients that an agent of this node still serves (their cancel not yet written). */
  long servedForLocalClients() {
    return routing.countServed(pt -> rt.nodeId.equals(pt.clientNode));
  }
}
