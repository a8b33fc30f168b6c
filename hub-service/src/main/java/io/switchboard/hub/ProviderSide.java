package io.switchboard.hub;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.switchboard.common.tracing.NodeTracing;
import io.switchboard.hub.protocol.Envelopes;
import io.switchboard.hub.protocol.Frame;
import io.switchboard.hub.protocol.MessageTypes;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider side of transactions, on the agent's node: takes a transaction for one of its agents, writes the
 * client's frames to the agent, sends the agent's frames, end and errors to the client's node, and forgets the
 * transaction when either side ends it. Every method runs on the agent session's event loop.
 */
final class ProviderSide {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderSide.class);
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
    Span span = rt.spans.provider(agent, b);
    ProviderTx pt = new ProviderTx(txId, agent, b.getString("clientNode"), b.getString("clientClusterNode"),
        Boolean.TRUE.equals(b.getValue(TxRouting.READS_MEMBERS)), rt.newReplay(), span);
    agent.txs.add(pt);
    routing.add(pt);
    try (Scope ignored = TxSpans.current(span)) {
      LOG.debug("transaction {} taken by agent session {}: tool {}", txId, agent.id, b.getString("toolName"));
      JsonObject start = new JsonObject()
          .put("toolName", b.getString("toolName")).put("params", b.getValue("params"))
          .put("client", b.getJsonObject("client"));
      String traceparent = NodeTracing.traceparentOf(span);
      if (traceparent != null) {
        start.put("traceparent", traceparent);
      }
      rt.spans.delivery(pt, () -> agent.send(Envelopes.frame(agent.id, txId, "SYSTEM", MessageTypes.TRANSACTION_START,
          start), pt.replay));
    }
    m.reply(new JsonObject().put("node", rt.nodeId).put("clusterNode", rt.member.id()).put("session", agent.id)
        .put(TxRouting.READS_MEMBERS, true));
  }

  /** A frame from the agent within the transaction: to the client's node. */
  void relay(ProviderTx pt, Frame f) {
    routing.forward(pt.clientNode, pt.id, TxOp.CLIENT_FRAME, f, pt.clientReadsMembers);
  }

  /** The agent's TRANSACTION_END: forgotten here, the client's node told. */
  void end(ProviderTx pt, Frame f) {
    drop(pt, "COMPLETED");
    routing.forward(pt.clientNode, pt.id, TxOp.CLIENT_END, f, pt.clientReadsMembers);
  }

  /** The agent's ERROR within the transaction: forgotten here, the client's node fails it with AGENT_ERROR. */
  void error(ProviderTx pt, Frame f) {
    drop(pt, "FAILED");
    routing.forward(pt.clientNode, pt.id, TxOp.CLIENT_ERROR, f, pt.clientReadsMembers);
  }

  /** A message from the client's node ({@link TxOp#toAgent} true), on the agent's loop. */
  void fromClient(ProviderTx pt, TxOp op, JsonObject body) {
    HaipSession a = pt.agent;
    if (a.txs.served(pt.id) != pt) {
      return;
    }
    switch (op) {
      case AGENT_FRAME -> a.forward(body, pt.replay);
      case AGENT_END -> {
        drop(pt, "COMPLETED");
        a.forward(body, pt.replay);
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
    drop(pt, "CANCELLED");
    a.send(Envelopes.frame(a.id, pt.id, "SYSTEM", MessageTypes.TRANSACTION_END, new JsonObject()
        .put("status", "CANCELLED").put("reason", reason)), pt.replay);
  }

  /** The agent's socket closed: the client's node fails it PROVIDER_LOST. */
  void agentGone(ProviderTx pt) {
    drop(pt, "PROVIDER_LOST");
    routing.send(pt.clientNode, pt.id, TxOp.CLIENT_LOST, new JsonObject());
  }

  private void drop(ProviderTx pt, String outcome) {
    if (pt.replay.close()) {
      rt.memory.endTransaction();
      rt.spans.providerEnded(pt, outcome);
    }
    routing.remove(pt);
    pt.agent.txs.remove(pt);
  }
}
