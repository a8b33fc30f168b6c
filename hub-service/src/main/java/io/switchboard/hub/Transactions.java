package io.switchboard.hub;

import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.HubAddresses;
import io.switchboard.hub.protocol.Frame;
import io.switchboard.hub.session.ReplayWindow;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Transactions, end to end: a transaction starts on its client's node, is taken by a provider (the built-in echo, or
 * an agent anywhere through {@link Addresses#tool(String)}), and is then relayed both ways through the two nodes'
 * transaction addresses. This class is the door: it hands a session's transaction frames to the side the session is
 * on and the node's transaction messages to the holding session's loop. The parts: {@link TxRouting} (the board and
 * the messages), {@link ClientSide} (which owns the execution and its counting), {@link ProviderSide}, {@link TxLoss}
 * (closes, members leaving, timeouts, memory pressure) and {@link ReplayRequests}.
 */
final class Transactions {
  final TxRouting routing;
  final ClientSide clients;
  final ProviderSide providers;
  final TxLoss loss;
  private final ReplayRequests replays;

  Transactions(Hub rt) {
    this.routing = new TxRouting(rt.bus);
    this.clients = new ClientSide(rt, routing);
    this.providers = new ProviderSide(rt, routing);
    this.loss = new TxLoss(rt, routing, clients, providers);
    this.replays = new ReplayRequests(rt.settings, rt.node.metrics().registry());
  }

  // ---- from a session's socket, on its loop -------------------------------------------------------------

  void start(HaipSession s, Frame f) {
    clients.start(s, f);
  }

  /** Any other frame naming a transaction: relayed to the other side. */
  void relay(HaipSession s, Frame f) {
    ClientTx ct = s.txs.started(f.transaction);
    if (ct != null) {
      clients.relay(s, ct, f);
      return;
    }
    ProviderTx pt = s.txs.served(f.transaction);
    if (pt != null) {
      providers.relay(pt, f);
      return;
    }
    notFound(s, f);
  }

  void end(HaipSession s, Frame f) {
    ClientTx ct = s.txs.started(f.transaction);
    if (ct != null) {
      clients.end(ct, f);
      return;
    }
    ProviderTx pt = s.txs.served(f.transaction);
    if (pt != null) {
      providers.end(pt, f);
      return;
    }
    notFound(s, f);
  }

  /** An ERROR frame: from an agent within a transaction it serves, it fails that transaction; otherwise ignored. */
  void error(HaipSession s, Frame f) {
    ProviderTx pt = s.txs.served(f.transaction);
    if (pt != null) {
      providers.error(pt, f);
    }
  }

  void join(HaipSession s, Frame f) {
    ClientTx ct = s.txs.started(f.transaction);
    if (ct == null) {
      notFound(s, f);
      return;
    }
    clients.join(s, ct);
  }

  void replay(HaipSession s, Frame f) {
    ClientTx ct = s.txs.started(f.transaction);
    ProviderTx pt = ct != null ? null : s.txs.served(f.transaction);
    ReplayWindow w = ct != null ? ct.replay : pt != null ? pt.replay : null;
    if (w == null) {
      notFound(s, f);
      return;
    }
    replays.answer(s, w, f);
  }

  private void notFound(HaipSession s, Frame f) {
    s.error(ErrorCodes.TRANSACTION_NOT_FOUND, "no transaction "
        + (f.transaction == null ? "named" : HaipSession.clip(f.transaction)) + " in this session", f.id, f.transaction);
  }

  // ---- the node's transaction consumer (the hub verticle's context) -------------------------------------

  void onNodeTx(Message<JsonObject> m) {
    String txId = m.headers().get(HubAddresses.TX_HEADER);
    TxOp op = TxOp.of(m.headers().get(HubAddresses.OP_HEADER));
    if (txId == null || op == null) {
      return;
    }
    JsonObject body = m.body();
    if (op.toAgent) {
      ProviderTx pt = routing.served(txId);
      if (pt != null) {
        Hub.on(pt.agent.ctx, () -> providers.fromClient(pt, op, body));
      }
    } else {
      ClientTx ct = routing.started(txId);
      if (ct != null) {
        Hub.on(ct.client.ctx, () -> clients.fromProvider(ct, op, body));
      }
    }
  }
}
