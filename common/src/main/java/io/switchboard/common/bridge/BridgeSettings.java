package io.switchboard.common.bridge;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the node's event-bus bridges open and how they bound a client (docs/operations.md, Bridges).
 *
 * @param sockJsEnabled      whether {@code /eventbus} is served ({@code bridge.sockjs.enabled})
 * @param tcpPort            port of the TCP bridge, 0 for none ({@code bridge.tcp.port})
 * @param host               the interface the TCP bridge binds ({@code http.host})
 * @param maxSockets         open bridge sockets per node, both bridges together ({@code bridge.maxSockets})
 * @param outbound           addresses a client may register for, exact names ({@code bridge.outbound})
 * @param inbound            addresses a client may send to, exact names ({@code bridge.inbound})
 * @param maxMessageBytes    largest frame a client may send ({@code hub.maxMessageBytes})
 * @param rateLimit          frames per second a socket may send ({@code hub.rateLimit})
 * @param rateLimitCloseAfter refused frames within one second after which the socket is closed
 *                           ({@code hub.rateLimitCloseAfter})
 * @param writeQueueMaxBytes bytes a socket's outbound queue may hold ({@code hub.writeQueueMaxBytes}); beyond it
 *                           messages to the socket are dropped
 * @param slowConsumerGraceMs how long the queue may stay full before the socket is closed ({@code hub.slowConsumerGrace})
 */
public record BridgeSettings(
    boolean sockJsEnabled,
    int tcpPort,
    String host,
    int maxSockets,
    Set<String> outbound,
    Set<String> inbound,
    int maxMessageBytes,
    int rateLimit,
    int rateLimitCloseAfter,
    int writeQueueMaxBytes,
    long slowConsumerGraceMs) {

  /**
   * Reads the bridge keys; a tool or node address in {@code bridge.outbound} or {@code bridge.inbound} is refused
   * with a {@link ConfigException} naming the key.
   */
  public static BridgeSettings from(SwitchboardConfig cfg) {
    return new BridgeSettings(
        cfg.getBoolean(ConfigKeys.BRIDGE_SOCKJS_ENABLED),
        cfg.getInt(ConfigKeys.BRIDGE_TCP_PORT),
        cfg.getString(ConfigKeys.HTTP_HOST),
        cfg.getInt(ConfigKeys.BRIDGE_MAX_SOCKETS),
        addresses(cfg, ConfigKeys.BRIDGE_OUTBOUND),
        addresses(cfg, ConfigKeys.BRIDGE_INBOUND),
        (int) Math.min(Integer.MAX_VALUE, cfg.getBytes(ConfigKeys.HUB_MAX_MESSAGE_BYTES)),
        cfg.getInt(ConfigKeys.HUB_RATE_LIMIT),
        cfg.getInt(ConfigKeys.HUB_RATE_LIMIT_CLOSE_AFTER),
        (int) Math.min(Integer.MAX_VALUE, cfg.getBytes(ConfigKeys.HUB_WRITE_QUEUE_BYTES)),
        cfg.getDurationMs(ConfigKeys.HUB_SLOW_CONSUMER_GRACE));
  }

  private static Set<String> addresses(SwitchboardConfig cfg, String key) {
    Set<String> out = new LinkedHashSet<>();
    List<String> listed = cfg.getList(key);
    for (String a : listed) {
      String address = a.trim();
      if (address.isEmpty()) {
        continue;
      }
      AddressClass c = AddressClass.of(address);
      if (c != AddressClass.OTHER) {
        throw new ConfigException(key, "the bridges never open " + c.label() + " addresses, and " + key + " lists '"
            + address + "'");
      }
      out.add(address);
    }
    return Set.copyOf(out);
  }

  /** Whether any bridge runs on this node. */
  public boolean anyBridge() {
    return sockJsEnabled || tcpPort > 0;
  }
}
