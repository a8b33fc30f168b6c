package io.switchboard.hub;

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
  final ReplayWindow replay;

  ProviderTx(String id, HaipSession agent, String clientNode, String clientClusterNode, ReplayWindow replay) {
    this.id = id;
    this.agent = agent;
    this.clientNode = clientNode;
    this.clientClusterNode = clientClusterNode;
    this.replay = replay;
  }
}
