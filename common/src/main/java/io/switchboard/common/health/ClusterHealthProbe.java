package io.switchboard.common.health;

import com.hazelcast.cluster.Member;
import io.switchboard.common.Addresses;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes the cluster health view from one node (docs/operations.md, "Cluster health"): every Hazelcast member in this
 * node's member list is asked for its health report at {@link Addresses#nodeHealthReport(String)} with a timeout of
 * {@link Addresses#HEALTH_REPORT_TIMEOUT_MS}. Its node id, name and roles are the member attributes it joined with
 * ({@link #memberAttributes}), which Hazelcast hands every member with the member list, so a member that does not
 * answer is still listed with its roles, without a remote read. The decision is {@link ClusterHealth#decide}.
 */
public final class ClusterHealthProbe {
  static final String NODE_ID = "switchboard.nodeId";
  static final String NAME = "switchboard.name";
  static final String ROLES = "switchboard.roles";

  private final NodeContext node;
  private final Set<String> requiredRoles;

  public ClusterHealthProbe(NodeContext node) {
    this.node = node;
    this.requiredRoles = Set.copyOf(node.config().getList(ConfigKeys.HEALTH_REQUIRED_ROLES));
  }

  public Set<String> requiredRoles() {
    return requiredRoles;
  }

  /** The Hazelcast member attributes a node joins with: its node id, name and roles (a comma list). */
  public static Map<String, String> memberAttributes(String nodeId, String name, List<String> roles) {
    return Map.of(NODE_ID, nodeId, NAME, name, ROLES, String.join(",", roles));
  }

  /** Asks every member; completes once each answered or timed out (about 1 s at worst), never fails. */
  public Future<ClusterHealth.View> view() {
    List<Future<ClusterHealth.Member>> asks = new ArrayList<>();
    if (!node.clustered()) {
      asks.add(ask(node.memberId(), node.nodeId(), node.identity().name(), node.identity().roles()));
    } else {
      Set<Member> members;
      try {
        members = node.clusterManager().getHazelcastInstance().getCluster().getMembers();
      } catch (RuntimeException e) {
        members = Set.of();
      }
      for (Member m : members) {
        if (m.isLiteMember()) {
          continue; // a JVM client joined to use the event bus (docs/jvm-clients.md), not a node
        }
        String roles = m.getAttribute(ROLES);
        asks.add(ask(m.getUuid().toString(), m.getAttribute(NODE_ID), m.getAttribute(NAME),
            roles == null || roles.isEmpty() ? List.of() : List.of(roles.split(","))));
      }
    }
    return Future.join(asks).transform(ar -> {
      List<ClusterHealth.Member> members = new ArrayList<>();
      asks.forEach(f -> members.add(f.result()));
      return Future.succeededFuture(ClusterHealth.decide(members, requiredRoles, System.currentTimeMillis()));
    });
  }

  private Future<ClusterHealth.Member> ask(String memberId, String nodeId, String name, List<String> roles) {
    if (nodeId == null) {
      return Future.succeededFuture(ClusterHealth.Member.unreachable(memberId, null, name, roles, 0,
          "the member announced no node id (not a Switchboard node)"));
    }
    long t0 = System.nanoTime();
    return node.vertx().eventBus()
        .<Object>request(Addresses.nodeHealthReport(nodeId), new JsonObject(),
            new DeliveryOptions().setSendTimeout(Addresses.HEALTH_REPORT_TIMEOUT_MS))
        .map(reply -> {
          long took = (System.nanoTime() - t0) / 1_000_000;
          JsonObject b = reply.body() instanceof JsonObject j ? j : new JsonObject();
          return ClusterHealth.Member.answered(memberId, nodeId, name, roles, b.getJsonObject("live"),
              b.getJsonObject("ready"), b.getJsonObject("startup"), took);
        })
        .otherwise(err -> ClusterHealth.Member.unreachable(memberId, nodeId, name, roles,
            (System.nanoTime() - t0) / 1_000_000, why(err)));
  }

  private static String why(Throwable err) {
    if (err instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return "no answer within " + Addresses.HEALTH_REPORT_TIMEOUT_MS + " ms";
      }
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return "no health report consumer on this member (still starting or stopping)";
      }
      return "the member failed to answer (" + re.failureCode() + ")";
    }
    return "the request failed: " + err.getClass().getSimpleName();
  }
}
