package io.switchboard.hub;

import io.opentelemetry.api.trace.Span;
import io.switchboard.hub.session.ReplayWindow;

/**
 * A transaction as its provider's node holds it: the agent serving it and the client's node. Owned by the agent
 * session's event loop; its fields are final, and other contexts read them to find that loop.
 */
final class ProviderTx {
  final String id;
  final HaipSession agent;
  final String clientNode;
  final String clientClusterNode;
  /** Whether the client's node reads forwarded frames as members ({@link TxRouting#READS_MEMBERS}). */
  final boolean clientReadsMembers;
  final ReplayWindow replay;
  /** The provider node's handling of the transaction, from taking it to its end here (no-op when tracing is off). */
  final Span span;

  ProviderTx(String id, HaipSession agent, String clientNode, String clientClusterNode, boolean clientReadsMembers,
      ReplayWindow replay, Span span) {
    this.clientReadsMembers = clientReadsMembers;
    this.span = span;
    this.id = id;
    this.agent = agent;
    this.clientNode = clientNode;
    this.clientClusterNode = clientClusterNode;
    this.replay = replay;
  }
}
