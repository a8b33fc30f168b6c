package io.switchboard.hub;

import io.switchboard.hub.protocol.Envelopes;
import io.switchboard.hub.protocol.Frame;
import io.switchboard.hub.protocol.MessageTypes;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The provider side of transactions, on the agent's node: takes a transaction for one of its agents, writes the
 * client's frames to the agent, sends the agent's frames, end and errors to the client's node, and forgets the
 * transaction when either side ends it. Every method runs on the agent session's event loop.
 */
final class ProviderSide {
  private final Hub rt;
  private final TxRouting routing;

  ProviderSide(Hub rt, TxRouting routing) {
    this.rt = rt;
    this.routing = routing;
  }

  /** A client's node asks this agent to take a transaction (its tool consumer, on the agent's loop). */
  void take(HaipSession agent, Message<JsonObject> m) {
    if (agent.closed) {
      m.fail(503, "provider gone");
      return;
    }
    if (!rt.memory.startTransaction()) {
      // the client's node answers MEMORY_LIMIT and counts it; this node counts the refusal in its budget
      m.fail(ClientSide.MEMORY_LIMIT_FAILURE, "memory limit");
      return;
    }
    JsonObject b = m.body();
    String txId = b.getString("tx");
    ProviderTx pt = new ProviderTx(txId, agent, b.getString("clientNode"), b.getString("clientClusterNode"), rt.newReplay());
    agent.txs.add(pt);
    routing.add(pt);
    agent.send(Envelopes.frame(agent.id, txId, "SYSTEM", MessageTypes.TRANSACTION_START, new JsonObject()
        .put("toolName", b.getString("toolName")).put("params", b.getValue("params"))
        .put("client", b.getJsonObject("client"))), pt.replay);
    m.reply(new JsonObject().put("node", rt.nodeId).put("clusterNode", rt.member.id()).put("session", agent.id));
  }

  /** A frame from the agent within the transaction: to the client's node. */
  void relay(ProviderTx pt, Frame f) {
    routing.send(pt.clientNode, pt.id, TxOp.CLIENT_FRAME, f.json);
  }

  /** The agent's TRANSACTION_END: forgotten here, the client's node told. */
  void end(ProviderTx pt, Frame f) {
    drop(pt);
    routing.send(pt.clientNode, pt.id, TxOp.CLIENT_END, f.json);
  }

  /** The agent's ERROR within the transaction: forgotten here, the client's node fails it with AGENT_ERROR. */
  void error(ProviderTx pt, Frame f) {
    drop(pt);
    routing.send(pt.clientNode, pt.id, TxOp.CLIENT_ERROR, f.json);
  }

  /** A message from the client's node ({@link TxOp#toAgent} true), on the agent's loop. */
  void fromClient(ProviderTx pt, TxOp op, JsonObject body) {
    HaipSession a = pt.agent;
    if (a.txs.served(pt.id) != pt) {
      return;
    }
    switch (op) {
      case AGENT_FRAME -> a.send(body.put("session", a.id), pt.replay);
      case AGENT_END -> {
        drop(pt);
        a.send(body.put("session", a.id), pt.replay);
      }
      case AGENT_CANCEL -> cancel(pt, body.getString("reason", "cancelled"));
      default -> { }
    }
  }

  /** The transaction is over for its client: the agent hears TRANSACTION_END CANCELLED, when it still serves it. */
  void cancel(ProviderTx pt, String reason) {
    HaipSession a = pt.agent;
    if (a.txs.served(pt.id) != pt) {
      return;
    }
    drop(pt);
    a.send(Envelopes.frame(a.id, pt.id, "SYSTEM", MessageTypes.TRANSACTION_END, new JsonObject()
        .put("status", "CANCELLED").put("reason", reason)), pt.replay);
  }

  /** The agent's socket closed: the client's node fails it PROVIDER_LOST. */
  void agentGone(ProviderTx pt) {
    drop(pt);
    routing.send(pt.clientNode, pt.id, TxOp.CLIENT_LOST, new JsonObject());
  }

  private void drop(ProviderTx pt) {
    if (pt.replay.close()) {
      rt.memory.endTransaction();
    }
    routing.remove(pt);
    pt.agent.txs.remove(pt);
  }
}
