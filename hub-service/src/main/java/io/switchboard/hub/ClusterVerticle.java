package io.switchboard.hub;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import io.switchboard.common.hub.HubAddresses;
import io.switchboard.common.hub.HubEvent;
import io.switchboard.hub.tools.ToolDef;
import io.switchboard.hub.tools.ToolSchema;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.HashSet;
import java.util.HashMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide tool directory: every hub node announces its agents' tools (and whether its monitors want
 * per-message events) on change and every few seconds; a node that leaves the Hazelcast cluster — gracefully or
 * dead — is dropped from every view at once, its tools vanish and the transactions it served fail PROVIDER_LOST.
 * Entries are matched to membership events by the announcer's Hazelcast member UUID, which changes when a member
 * merges back after a split: the node then re-announces at once, so the others know it by its new UUID.
 */
final class ClusterVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterVerticle.class);

  private final Hub rt;
  private MessageConsumer<JsonObject> consumer;
  private UUID membershipRegistration;
  private UUID lifecycleRegistration;
  /** The member UUID this node last announced (this verticle's context). */
  private String announcedAs;

  ClusterVerticle(Hub rt) {
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
              context.runOnContext(v -> announce());
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
              String left = e.getMember().getUuid().toString();
              context.runOnContext(v -> memberLeft(left));
            }
          });
      lifecycleRegistration = rt.node.clusterManager().getHazelcastInstance().getLifecycleService()
          .addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
              context.runOnContext(v -> merged());
            }
          });
    }
    rt.offers.start(context, this::announce);
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
    JsonObject owners = new JsonObject();
    if (!leaving) {
      rt.offers.tools().forEach(t -> tools.add(t.toJson()));
      rt.offers.owners().forEach((tool, subjects) -> owners.put(tool, new JsonArray(new ArrayList<>(subjects))));
    }
    return new JsonObject().put("nodeId", rt.nodeId).put("clusterNodeId", rt.member.id()).put("tools", tools)
        .put("owners", owners)
        .put("eventsInterest", !leaving && rt.offers.eventsInterest()).put("leaving", leaving);
  }

  private void announce() {
    JsonObject state = state(false);
    String uuid = state.getString("clusterNodeId");
    if (announcedAs != null && !announcedAs.equals(uuid)) {
      LOG.info("this node's cluster member id changed from {} to {} (merged back after a split): announcing the new one",
          announcedAs, uuid);
      rt.offers.refreshDirectory(uuid, System.currentTimeMillis());
    }
    announcedAs = uuid;
    vertx.eventBus().publish(HubAddresses.ANNOUNCE, state);
  }

  /**
   * This member merged back into the cluster after a split, under a new member UUID. Announce at once (the others
   * dropped this node when it was split off, or still hold an announcement naming its old UUID) and ask everyone to
   * announce (this node dropped them all). Again a moment later: the event bus's registrations are republished
   * after the merge, and frames sent before that can be lost.
   */
  private void merged() {
    LOG.info("merged back into the cluster as member {}: announcing this node's tools again", rt.member.id());
    resync();
    vertx.setTimer(HubSettings.MERGE_REANNOUNCE_DELAY_MS, t -> resync());
  }

  private void resync() {
    announce();
    vertx.eventBus().publish(HubAddresses.ANNOUNCE, new JsonObject().put("sync", true).put("nodeId", rt.nodeId));
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
      try {
        ToolDef t = ToolDef.fromJson(o);
        if (t != null) {
          tools.add(t);
        }
      } catch (ToolSchema.Invalid e) {
        // the offering node compiled it with the same rules; a node of another version may differ: leave it out
        LOG.debug("a tool announced by node {} was left out: {}", nodeId, e.getMessage());
      }
    }
    Map<String, Set<String>> owners = new HashMap<>();
    if (b.getValue("owners") instanceof JsonObject o) {
      for (String tool : o.fieldNames()) {
        if (o.getValue(tool) instanceof JsonArray subjects) {
          Set<String> s = new HashSet<>();
          subjects.forEach(x -> {
            if (x instanceof String subject) {
              s.add(subject);
            }
          });
          owners.put(tool, s);
        }
      }
    }
    rt.directory.put(nodeId, b.getString("clusterNodeId"), tools, owners, b.getBoolean("eventsInterest", false),
        System.currentTimeMillis());
  }

  private void memberLeft(String clusterNodeId) {
    List<String> dropped = rt.directory.removeClusterNode(clusterNodeId);
    LOG.info("cluster member {} left: dropped hub nodes {}", clusterNodeId, dropped);
    rt.tx.loss.memberLeft(clusterNodeId);
  }

  @Override
  public Future<?> stop() {
    vertx.eventBus().publish(HubAddresses.ANNOUNCE, state(true));
    if (membershipRegistration != null) {
      try {
        rt.node.clusterManager().getHazelcastInstance().getCluster().removeMembershipListener(membershipRegistration);
        rt.node.clusterManager().getHazelcastInstance().getLifecycleService().removeLifecycleListener(lifecycleRegistration);
      } catch (RuntimeException e) {
        LOG.debug("membership listener already gone", e);
      }
    }
    return consumer.unregister();
  }
}
