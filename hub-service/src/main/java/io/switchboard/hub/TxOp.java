package io.switchboard.hub;

import java.util.HashMap;
import java.util.Map;

/**
 * What a message on a node's transaction address ({@code switchboard.node.<id>.tx}, header {@code op}) asks the
 * receiving node to do with the transaction named by header {@code tx}: to its agent's socket (provider side) or to
 * its client's socket (client side). The wire value is the header's text; docs/architecture.md lists the address.
 */
enum TxOp {
  /** Provider side: write this frame to the agent. */
  AGENT_FRAME("a.frame", true),
  /** Provider side: the client ended the transaction; write its TRANSACTION_END to the agent and forget it. */
  AGENT_END("a.end", true),
  /** Provider side: the transaction is over for the client's side; tell the agent CANCELLED with {@code reason}. */
  AGENT_CANCEL("a.cancel", true),
  /** Client side: write this frame from the agent to the client. */
  CLIENT_FRAME("c.frame", false),
  /** Client side: the agent ended the transaction; COMPLETED. */
  CLIENT_END("c.end", false),
  /** Client side: the agent sent an ERROR; FAILED with AGENT_ERROR. */
  CLIENT_ERROR("c.error", false),
  /** Client side: the provider's session left; FAILED with PROVIDER_LOST. */
  CLIENT_LOST("c.lost", false);

  private static final Map<String, TxOp> BY_WIRE = new HashMap<>();

  static {
    for (TxOp op : values()) {
      BY_WIRE.put(op.wire, op);
    }
  }

  final String wire;
  /** True for operations addressed to the provider side (the agent's node), false for the client side. */
  final boolean toAgent;

  TxOp(String wire, boolean toAgent) {
    this.wire = wire;
    this.toAgent = toAgent;
  }

  /** The operation with this header text; null for anything else (a message of another version is dropped). */
  static TxOp of(String wire) {
    return wire == null ? null : BY_WIRE.get(wire);
  }
}
