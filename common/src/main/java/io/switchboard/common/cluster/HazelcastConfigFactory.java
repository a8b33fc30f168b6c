package io.switchboard.common.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.List;

/**
 * Builds the Hazelcast configuration from Switchboard's: join mode, addresses, and timing tuned for a hub
 * (docs/operations.md, "Membership timing"): a dead member leaves within {@code cluster.memberTimeout} (5 s), a split
 * cluster merges after {@code cluster.mergeDelay} (10 s), and a leaving member waits at most
 * {@code cluster.gracefulShutdownWait}.
 */
public final class HazelcastConfigFactory {
  private HazelcastConfigFactory() {}

  public static Config build(SwitchboardConfig cfg) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(cfg.getString(ConfigKeys.CLUSTER_NAME));
    String mode = cfg.getString(ConfigKeys.CLUSTER_MODE);

    long heartbeatS = Math.max(1, cfg.getDurationMs(ConfigKeys.CLUSTER_HEARTBEAT) / 1000);
    long timeoutS = Math.max(2, cfg.getDurationMs(ConfigKeys.CLUSTER_MEMBER_TIMEOUT) / 1000);
    long mergeS = Math.max(1, cfg.getDurationMs(ConfigKeys.CLUSTER_MERGE_DELAY) / 1000);
    long gracefulS = Math.max(1, cfg.getDurationMs(ConfigKeys.CLUSTER_GRACEFUL_WAIT) / 1000);
    int portCount = cfg.getInt(ConfigKeys.CLUSTER_PORT_COUNT);
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(heartbeatS));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(timeoutS));
    hz.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    hz.setProperty("hazelcast.member.list.publish.interval.seconds", "5");
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(mergeS));
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(mergeS));
    hz.setProperty("hazelcast.graceful.shutdown.max.wait", String.valueOf(gracefulS));
    hz.setProperty("hazelcast.tcp.join.port.try.count", String.valueOf(portCount));
    hz.setProperty("hazelcast.socket.connect.timeout.seconds", "2");
    hz.setProperty("hazelcast.connection.monitor.interval", "1000");
    hz.setProperty("hazelcast.connection.monitor.max.faults", "2");
    hz.setProperty("hazelcast.operation.call.timeout.millis", "10000");
    hz.setProperty("hazelcast.partition.migration.interval", "0");
    hz.setProperty("hazelcast.health.monitoring.level", "OFF");
    hz.getJetConfig().setEnabled(false);
    hz.getMetricsConfig().setEnabled(false);
    hz.getSqlConfig().setStatementTimeoutMillis(0);

    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(cfg.getInt(ConfigKeys.CLUSTER_PORT)).setPortAutoIncrement(true).setPortCount(portCount);
    net.getRestApiConfig().setEnabled(false);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    String host = clusterHost(cfg);
    String publicHost = cfg.getString(ConfigKeys.CLUSTER_PUBLIC_HOST);

    switch (mode) {
      case "loopback" -> {
        bindHost(hz, net, "127.0.0.1", "");
        join.getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1"));
      }
      case "tcp" -> {
        bindHost(hz, net, host, publicHost);
        List<String> members = cfg.getList(ConfigKeys.CLUSTER_MEMBERS);
        join.getTcpIpConfig().setEnabled(true).setMembers(members.isEmpty() ? List.of(host) : members);
      }
      case "multicast" -> {
        bindHost(hz, net, host, publicHost);
        join.getMulticastConfig().setEnabled(true)
            .setMulticastGroup(cfg.getString(ConfigKeys.CLUSTER_MULTICAST_GROUP))
            .setMulticastPort(cfg.getInt(ConfigKeys.CLUSTER_MULTICAST_PORT));
      }
      case "kubernetes" -> {
        bindHost(hz, net, host, publicHost);
        var k8s = join.getKubernetesConfig().setEnabled(true)
            .setProperty("service-name", cfg.getString(ConfigKeys.CLUSTER_K8S_SERVICE));
        String ns = cfg.getString(ConfigKeys.CLUSTER_K8S_NAMESPACE);
        if (!ns.isEmpty()) {
          k8s.setProperty("namespace", ns);
        }
      }
      default -> throw new IllegalArgumentException("cluster.mode " + mode + " has no Hazelcast configuration");
    }
    return hz;
  }

  /**
   * Binds the member's server socket to {@code host} only. Hazelcast's default ({@code hazelcast.socket.bind.any})
   * listens on every interface even when an interface is named; with it off, the member port is reachable only on
   * the named address. {@code 0.0.0.0} or an empty host keeps every interface (said so in docs/operations.md).
   */
  private static void bindHost(Config hz, NetworkConfig net, String host, String publicHost) {
    if (!host.isEmpty() && !host.equals("0.0.0.0")) {
      net.getInterfaces().setEnabled(true).addInterface(host);
      hz.setProperty("hazelcast.local.localAddress", host);
      hz.setProperty("hazelcast.socket.bind.any", "false");
      hz.setProperty("hazelcast.socket.server.bind.any", "false");
      hz.setProperty("hazelcast.socket.client.bind.any", "false");
    }
    if (!publicHost.isEmpty()) {
      net.setPublicAddress(publicHost);
    }
  }

  /** The address the event bus binds to: loopback for the loopback mode, else cluster.host. */
  public static String clusterHost(SwitchboardConfig cfg) {
    return "loopback".equals(cfg.getString(ConfigKeys.CLUSTER_MODE)) ? "127.0.0.1" : cfg.getString(ConfigKeys.CLUSTER_HOST);
  }
}
