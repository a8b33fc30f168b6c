package io.switchboard.common.cluster;

import io.switchboard.common.Addresses;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a node knows of the cluster: {@code GET /cluster} (members as Hazelcast sees them) and a clustered
 * consumer at {@link Addresses#nodeInfo(String)} through which any node can ask this one who it is
 * ({@code GET /cluster/nodes/{nodeId}}).
 */
public final class ClusterInfo {
  private ClusterInfo() {}

  public static Future<Void> register(NodeContext node) {
    MessageConsumer<JsonObject> c = node.vertx().eventBus().consumer(Addresses.nodeInfo(node.nodeId()),
        msg -> msg.reply(describe(node)));
    return c.completion();
  }

  /** This node's identity, uptime and cluster view. */
  public static JsonObject describe(NodeContext node) {
    JsonObject out = node.identity().toJson()
        .put("uptime", System.currentTimeMillis() - node.identity().startedAt())
        .put("clustered", node.clustered())
        .put("clusterSize", clusterSize(node));
    if (node.clustered()) {
      // memberId names the same thing here as in members[]: the Hazelcast member UUID now (it changes when a member
      // merges back after a split); clusterNodeId is the cluster manager's id of this node, as event-bus
      // registrations name it
      out.put("memberId", node.memberId()).put("clusterNodeId", node.clusterManager().getNodeId());
      JsonArray members = new JsonArray();
      node.clusterManager().getHazelcastInstance().getCluster().getMembers().forEach(m -> members.add(new JsonObject()
          .put("memberId", m.getUuid().toString())
          .put("address", m.getAddress().getHost() + ":" + m.getAddress().getPort())
          .put("local", m.localMember())));
      out.put("members", members);
    }
    return out;
  }

  public static int clusterSize(NodeContext node) {
    return node.clustered() ? node.clusterManager().getNodes().size() : 1;
  }
}
