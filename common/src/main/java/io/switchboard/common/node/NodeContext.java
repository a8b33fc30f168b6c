package io.switchboard.common.node;

import io.switchboard.common.auth.Authority;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.health.HealthRegistry;
import io.switchboard.common.metrics.NodeCounters;
import io.switchboard.common.metrics.NodeMetrics;
import io.switchboard.common.tracing.NodeTracing;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Everything a service verticle needs from its node: Vert.x, configuration, identity, the HTTP router (hub
 * mounts /haip and /ws on it), metrics, counters, health checks and shutdown coordination. Built once by the
 * launcher (or a test) and handed to each service's verticles.
 *
 * @param clusterManager null when the node is not clustered
 * @param auth turns credentials into identities (docs/operations.md, Authentication)
 * @param tracing the node's OpenTelemetry (its no-op when {@code tracing.enabled} is false)
 */
public record NodeContext(
    Vertx vertx,
    SwitchboardConfig config,
    NodeIdentity identity,
    Router router,
    NodeMetrics metrics,
    NodeCounters counters,
    HealthRegistry health,
    ShutdownState shutdown,
    HazelcastClusterManager clusterManager,
    Authority auth,
    NodeTracing tracing) {

  public String nodeId() {
    return identity.nodeId();
  }

  public boolean clustered() {
    return clusterManager != null;
  }

  /**
   * This node's Hazelcast member id now: {@code "local"} when unclustered, null while Hazelcast is not running. A
   * member dropped from the cluster (paused past the member timeout) that merges back gets a new one.
   */
  public String memberId() {
    if (clusterManager == null) {
      return "local";
    }
    try {
      return clusterManager.getHazelcastInstance().getCluster().getLocalMember().getUuid().toString();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
