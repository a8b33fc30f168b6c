package io.switchboard.common.cluster;

import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.health.ClusterHealthProbe;
import io.switchboard.common.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Creates the node's Vert.x: clustered through embedded Hazelcast unless {@code cluster.mode} is {@code none},
 * with Vert.x metrics in the node's registry (a registry name per node, so several nodes fit in one JVM).
 */
public final class NodeVertx {
  private NodeVertx() {}

  /** What was built: the Vert.x instance and, when clustered, its cluster manager. */
  public record Built(Vertx vertx, HazelcastClusterManager clusterManager) {
    public boolean clustered() {
      return clusterManager != null;
    }
  }

  public static Future<Built> create(SwitchboardConfig cfg, NodeMetrics metrics, String nodeId) {
    return create(cfg, metrics, nodeId, new JsonObject());
  }

  /**
   * The same, announcing {@code clusterMetadata} with the node's event-bus address, for the other members to read
   * from the cluster manager (a node announces its node id, name and roles: {@link ClusterHealthProbe#metadata}).
   */
  public static Future<Built> create(SwitchboardConfig cfg, NodeMetrics metrics, String nodeId, JsonObject clusterMetadata) {
    VertxOptions options = new VertxOptions();
    options.setBlockedThreadCheckInterval(2000);
    options.setMaxEventLoopExecuteTime(2_000_000_000L);
    if (cfg.getBoolean(ConfigKeys.METRICS_ENABLED)) {
      options.setMetricsOptions(new MicrometerMetricsOptions()
          .setEnabled(true)
          .setJvmMetricsEnabled(false)
          .setRegistryName("switchboard-" + nodeId));
    }
    VertxBuilder builder = Vertx.builder().with(options);
    if (cfg.getBoolean(ConfigKeys.METRICS_ENABLED)) {
      builder.withMetrics(new MicrometerMetricsFactory(metrics.registry()));
    }
    if ("none".equals(cfg.getString(ConfigKeys.CLUSTER_MODE))) {
      return Future.succeededFuture(new Built(builder.build(), null));
    }
    String host = HazelcastConfigFactory.clusterHost(cfg);
    String publicHost = cfg.getString(ConfigKeys.CLUSTER_PUBLIC_HOST);
    EventBusOptions eb = options.getEventBusOptions()
        .setHost(host.equals("0.0.0.0") ? "0.0.0.0" : host)
        .setPort(cfg.getInt(ConfigKeys.EVENTBUS_PORT))
        .setClusterNodeMetadata(clusterMetadata);
    if (!publicHost.isEmpty()) {
      eb.setClusterPublicHost(publicHost);
    }
    HazelcastClusterManager cm = new HazelcastClusterManager(HazelcastConfigFactory.build(cfg));
    return builder.withClusterManager(cm).buildClustered().map(v -> new Built(v, cm));
  }
}
