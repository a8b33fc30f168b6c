package io.switchboard.common.health;

import io.switchboard.common.Addresses;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Takes the cluster health view from one node (docs/operations.md, "Cluster health"): every Hazelcast member, known
 * from the cluster manager, is asked for its health report at {@link Addresses#nodeHealthReport(String)} with a
 * timeout of {@link Addresses#HEALTH_REPORT_TIMEOUT_MS}; its node id, name and roles come from the cluster node
 * metadata it announced when it joined ({@link #metadata}), so a member that does not answer is still listed with
 * its roles. The decision is {@link ClusterHealth#decide}.
 */
public final class ClusterHealthProbe {
  private final NodeContext node;
  private final Set<String> requiredRoles;

  public ClusterHealthProbe(NodeContext node) {
    this.node = node;
    this.requiredRoles = Set.copyOf(new LinkedHashSet<>(node.config().getList(ConfigKeys.HEALTH_REQUIRED_ROLES)));
  }

  public Set<String> requiredRoles() {
    return requiredRoles;
  }

  /** The metadata a node announces to the cluster with its event-bus address: {@code {nodeId, name, roles}}. */
  public static JsonObject metadata(String nodeId, String name, List<String> roles) {
    return new JsonObject().put("nodeId", nodeId).put("name", name).put("roles", new JsonArray(new ArrayList<>(roles)));
  }

  /** Asks every member; completes once each answered or timed out (about 1 s at worst), never fails. */
  public Future<ClusterHealth.View> view() {
    List<Future<ClusterHealth.Member>> asks = new ArrayList<>();
    if (!node.clustered()) {
      asks.add(ask(node.memberId(), metadata(node.nodeId(), node.identity().name(), node.identity().roles())));
    } else {
      for (String memberId : node.clusterManager().getNodes()) {
        Promise<NodeInfo> info = Promise.promise();
        node.clusterManager().getNodeInfo(memberId, info);
        asks.add(info.future()
            .timeout(Addresses.HEALTH_REPORT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .compose(ni -> ask(memberId, ni == null || ni.metadata() == null ? new JsonObject() : ni.metadata()),
                err -> Future.succeededFuture(ClusterHealth.Member.unreachable(memberId, null, null, List.of(), 0,
                    "the member's node information is not available"))));
      }
    }
    return Future.join(asks).transform(ar -> {
      List<ClusterHealth.Member> members = new ArrayList<>();
      asks.forEach(f -> members.add(f.result()));
      return Future.succeededFuture(ClusterHealth.decide(members, requiredRoles, System.currentTimeMillis()));
    });
  }

  private Future<ClusterHealth.Member> ask(String memberId, JsonObject meta) {
    String nodeId = meta.getString("nodeId");
    String name = meta.getString("name");
    List<String> roles = roles(meta.getJsonArray("roles"));
    if (nodeId == null) {
      return Future.succeededFuture(ClusterHealth.Member.unreachable(memberId, null, name, roles, 0,
          "the member announced no node id (not a Switchboard node, or still starting)"));
    }
    long t0 = System.nanoTime();
    return node.vertx().eventBus()
        .<Object>request(Addresses.nodeHealthReport(nodeId), new JsonObject(),
            new DeliveryOptions().setSendTimeout(Addresses.HEALTH_REPORT_TIMEOUT_MS))
        .map(reply -> {
          long took = (System.nanoTime() - t0) / 1_000_000;
          JsonObject b = reply.body() instanceof JsonObject j ? j : new JsonObject();
          return ClusterHealth.Member.answered(memberId, nodeId, b.getString("name", name),
              b.containsKey("roles") ? roles(b.getJsonArray("roles")) : roles, b.getJsonObject("live"),
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

  private static List<String> roles(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      a.forEach(o -> out.add(String.valueOf(o)));
    }
    return out;
  }
}
