package io.switchboard.common.cluster;

import com.hazelcast.config.Config;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.health.ClusterHealthProbe;
import io.switchboard.common.metrics.NodeMetrics;
import io.switchboard.common.tracing.NodeTracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Creates the node's Vert.x: clustered through embedded Hazelcast unless {@code cluster.mode} is {@code none},
 * with Vert.x metrics in the node's registry (a registry name per node, so several nodes fit in one JVM), and the
 * event bus between nodes under mutual TLS when {@code eventBus.tls.*} is set ({@link EventBusTls}).
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
    return create(cfg, metrics, nodeId, Map.of(), NodeTracing.off());
  }

  /**
   * The same, with Hazelcast member attributes that every other member sees in its member list without asking (a node
   * announces its node id, name and roles: {@link ClusterHealthProbe#memberAttributes}). With tracing on, Vert.x
   * gets the node's OpenTelemetry: it makes a span for each HTTP request and carries the current trace across
   * event-bus sends, clustered ones included, in message headers (docs/operations.md, Tracing).
   */
  public static Future<Built> create(SwitchboardConfig cfg, NodeMetrics metrics, String nodeId,
      Map<String, String> memberAttributes, NodeTracing tracing) {
    EventBusTls busTls;
    try {
      busTls = EventBusTls.from(cfg);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    VertxOptions options = new VertxOptions();
    options.setBlockedThreadCheckInterval(cfg.getDurationMs(ConfigKeys.VERTX_BLOCKED_THREAD_CHECK_INTERVAL));
    options.setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
    options.setMaxEventLoopExecuteTime(cfg.getDurationMs(ConfigKeys.VERTX_MAX_EVENT_LOOP_EXECUTE_TIME));
    options.setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS);
    if (cfg.getBoolean(ConfigKeys.METRICS_ENABLED)) {
      options.setMetricsOptions(new MicrometerMetricsOptions()
          .setEnabled(true)
          .setJvmMetricsEnabled(false)
          .setRegistryName("switchboard-" + nodeId));
    }
    if (tracing.sdk() != null) {
      options.setTracingOptions(new OpenTelemetryOptions());
    }
    VertxBuilder builder = Vertx.builder().with(options);
    if (cfg.getBoolean(ConfigKeys.METRICS_ENABLED)) {
      builder.withMetrics(new MicrometerMetricsFactory(metrics.registry()));
    }
    if (tracing.sdk() != null) {
      builder.withTracer(new OpenTelemetryTracingFactory(tracing.sdk()));
    }
    if ("none".equals(cfg.getString(ConfigKeys.CLUSTER_MODE))) {
      return Future.succeededFuture(new Built(builder.build(), null));
    }
    String host = HazelcastConfigFactory.clusterHost(cfg);
    String publicHost = cfg.getString(ConfigKeys.CLUSTER_PUBLIC_HOST);
    EventBusOptions eb = options.getEventBusOptions()
        .setHost(host.equals("0.0.0.0") ? "0.0.0.0" : host)
        .setPort(cfg.getInt(ConfigKeys.EVENTBUS_PORT));
    if (!publicHost.isEmpty()) {
      eb.setClusterPublicHost(publicHost);
    }
    if (busTls != null) {
      busTls.applyTo(eb);
    }
    Config hazelcast = HazelcastConfigFactory.build(cfg);
    memberAttributes.forEach(hazelcast.getMemberAttributeConfig()::setAttribute);
    HazelcastClusterManager cm = new HazelcastClusterManager(hazelcast);
    return builder.withClusterManager(cm).buildClustered().map(v -> new Built(v, cm));
  }
}
