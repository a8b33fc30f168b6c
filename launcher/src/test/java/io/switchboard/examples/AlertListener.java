package io.switchboard.examples;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.function.Consumer;

/**
 * A JVM program that joins a Switchboard cluster as a Hazelcast lite member (it holds no cluster data) and consumes
 * the alerts the alert service publishes on {@code switchboard.alerts}. Usage:
 * {@code java AlertListener <cluster.name> <member host:port>[,<member host:port>...] <this host>}.
 */
public final class AlertListener {
  public static void main(String[] args) {
    listen(args[0], List.of(args[1].split(",")), args[2], alert -> System.out.println(alert.encode()))
        .onFailure(e -> {
          System.err.println("could not join the cluster: " + e.getMessage());
          System.exit(1);
        });
  }

  /** Joins the cluster named {@code clusterName} through {@code members}; calls {@code onAlert} with each AlertEvent. */
  public static Future<Vertx> listen(String clusterName, List<String> members, String host, Consumer<JsonObject> onAlert) {
    Config hz = ConfigUtil.loadConfig();       // Vert.x's own maps, as the nodes have them
    hz.setClusterName(clusterName);            // the nodes' cluster.name
    hz.setLiteMember(true);                    // a member without partitions: it stores nothing
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.getNetworkConfig().setPublicAddress(host);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost(host); // the nodes send to this address
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
        .compose(vertx -> vertx.eventBus().<JsonObject>consumer("switchboard.alerts", m -> onAlert.accept(m.body()))
            .completion().map(vertx));
  }
}
