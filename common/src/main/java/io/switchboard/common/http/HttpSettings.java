package io.switchboard.common.http;

import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;

/**
 * Connection limits of the node's HTTP server, read once: {@code http.idleTimeout}, {@code http.requestHeaderTimeout},
 * and, when {@code hub.compression} is on, the most a single WebSocket frame may inflate to (one byte over
 * {@code hub.maxMessageBytes}: anything larger fails while it inflates).
 */
public record HttpSettings(long idleTimeoutMs, long requestHeaderTimeoutMs, boolean webSocketCompression, int maxInflatedFrameBytes) {
  public static HttpSettings from(SwitchboardConfig c) {
    return new HttpSettings(
        c.getDurationMs(ConfigKeys.HTTP_IDLE_TIMEOUT),
        c.getDurationMs(ConfigKeys.HTTP_REQUEST_HEADER_TIMEOUT),
        c.getBoolean(ConfigKeys.HUB_COMPRESSION),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes(ConfigKeys.HUB_MAX_MESSAGE_BYTES) + 1));
  }
}
