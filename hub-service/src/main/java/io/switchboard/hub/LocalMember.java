package io.switchboard.hub;

import io.switchboard.common.node.NodeContext;
import java.util.UUID;

/**
 * This node's Hazelcast member UUID now: what other members' membership events name when this node leaves or dies.
 * Read each time, never kept: a member that was split off (paused past the member timeout) and merges back gets a
 * new UUID, and announcing the old one would leave its tools and transactions unmatched when it later dies. Any
 * context may call {@link #id()}: the only state is a cache of the last UUID's text, an immutable record behind a
 * volatile reference. Unclustered, the node id. After Hazelcast stopped, the last UUID read.
 */
final class LocalMember {
  private record Last(UUID uuid, String text) {}

  private final NodeContext node;
  private volatile Last last;

  LocalMember(NodeContext node) {
    this.node = node;
  }

  String id() {
    if (!node.clustered()) {
      return node.nodeId();
    }
    Last seen = last;
    UUID now;
    try {
      now = node.clusterManager().getHazelcastInstance().getCluster().getLocalMember().getUuid();
    } catch (RuntimeException e) {
      // Hazelcast already shut down (the node is stopping): the last UUID is the one the others knew
      return seen == null ? node.nodeId() : seen.text();
    }
    if (seen == null || !seen.uuid().equals(now)) {
      seen = new Last(now, now.toString());
      last = seen;
    }
    return seen.text();
  }
}
