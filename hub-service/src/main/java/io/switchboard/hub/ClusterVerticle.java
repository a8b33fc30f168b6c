package io.switchboard.hub;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.switchboard.common.hub.HubAddresses;
import io.switchboard.common.hub.HubEvent;
import io.switchboard.hub.tools.ToolDef;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide tool directory: every hub node announces its agents' tools (and whether its monitors want
 * per-message events) on change and every few seconds; a node that leaves the Hazelcast cluster — gracefully or
 * dead — is dropped from every view at once, its tools vanish and the transactions it served fail PROVIDER_LOST.
 */
final class ClusterVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterVerticle.class);

  private final HubRuntime rt;
  private MessageConsumer<JsonObject> consumer;
  private UUID membershipRegistration;

  ClusterVerticle(HubRuntime rt) {
    this.rt = rt;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(HubAddresses.ANNOUNCE, m -> onAnnounce(m.body()));
    if (rt.node.clustered()) {
      membershipRegistration = rt.node.clusterManager().getHazelcastInstance().getCluster()
          .addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
              vertx.runOnContext(v -> announce());
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
              String left = e.getMember().getUuid().toString();
              vertx.runOnContext(v -> memberLeft(left));
            }
          });
    }
    rt.announcer(() -> vertx.runOnContext(v -> announce()));
    vertx.setPeriodic(HubSettings.ANNOUNCE_INTERVAL_MS, id -> {
      rt.directory.expire(System.currentTimeMillis(), HubSettings.ANNOUNCE_LEASE_MS, rt.nodeId);
      announce();
    });
    return consumer.completion().onSuccess(v -> {
      vertx.eventBus().publish(HubAddresses.ANNOUNCE, new JsonObject().put("sync", true).put("nodeId", rt.nodeId));
      announce();
      rt.events.emit(HubEvent.STARTED, null, new JsonObject().put("name", rt.node.identity().name()));
    });
  }

  private JsonObject state(boolean leaving) {
    JsonArray tools = new JsonArray();
    if (!leaving) {
      rt.localTools().forEach(t -> tools.add(t.toJson()));
    }
    return new JsonObject().put("nodeId", rt.nodeId).put("clusterNodeId", rt.clusterNodeId).put("tools", tools)
        .put("eventsInterest", !leaving && rt.monitors.localEventsInterest()).put("leaving", leaving);
  }

  private void announce() {
    vertx.eventBus().publish(HubAddresses.ANNOUNCE, state(false));
  }

  private void onAnnounce(JsonObject b) {
    String nodeId = b.getString("nodeId");
    if (nodeId == null || nodeId.equals(rt.nodeId)) {
      return;
    }
    if (b.getBoolean("sync", false)) {
      announce();
      return;
    }
    if (b.getBoolean("leaving", false)) {
      rt.directory.remove(nodeId);
      return;
    }
    List<ToolDef> tools = new ArrayList<>();
    JsonArray arr = b.getJsonArray("tools", new JsonArray());
    for (Object o : arr) {
      ToolDef t = ToolDef.fromJson(o);
      if (t != null) {
        tools.add(t);
      }
    }
    rt.directory.put(nodeId, b.getString("clusterNodeId"), tools, b.getBoolean("eventsInterest", false),
        System.currentTimeMillis());
  }

  private void memberLeft(String clusterNodeId) {
    List<String> dropped = rt.directory.removeClusterNode(clusterNodeId);
    LOG.info("cluster member {} left: dropped hub nodes {}", clusterNodeId, dropped);
    rt.tx.memberLeft(clusterNodeId);
  }

  @Override
  public Future<?> stop() {
    vertx.eventBus().publish(HubAddresses.ANNOUNCE, state(true));
    if (membershipRegistration != null) {
      try {
        rt.node.clusterManager().getHazelcastInstance().getCluster().removeMembershipListener(membershipRegistration);
      } catch (RuntimeException e) {
        LOG.debug("membership listener already gone", e);
      }
    }
    return consumer.unregister();
  }
}
