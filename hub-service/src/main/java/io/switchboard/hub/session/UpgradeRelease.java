package io.switchboard.hub.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of what a WebSocket upgrade leaves behind once the socket is open (docs/architecture.md, "Idle session
 * footprint"). Vert.x 5.0's handler of an upgraded socket keeps the function that built the socket's connection, and
 * that function holds the whole upgrade: the HTTP connection (with its own outbound message queue, two 4 KiB
 * arrays' worth per socket), the upgrade request and response, their routing context and the raw request. Nothing
 * uses that function after the connection was built, so this clears the handler's reference to it; the socket and its
 * connection stay as they are.
 * <p>
 * The socket also keeps the upgrade request's headers ({@code ServerWebSocket.headers()}) for as long as it is open.
 * The hub reads what it needs from them when the session opens (the upgrade's credential, {@link HaiCredential}), so
 * {@link #dropHeaders} empties them after that: {@code headers()} of an open hub socket is empty.
 * <p>
 * Where the handler has no such field (another Vert.x version), this does nothing: the socket works the same and
 * only the footprint stays larger; {@link #available()} says which is the case. Call on the socket's event loop,
 * after the upgrade completed.
 */
public final class UpgradeRelease {
  private static final Logger LOG = LoggerFactory.getLogger(UpgradeRelease.class);
  private static final Field FACTORY = factoryField();

  private UpgradeRelease() {}

  private static Field factoryField() {
    try {
      Field f = VertxHandler.class.getDeclaredField("connectionFactory");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("upgraded sockets keep their upgrade request: this Vert.x version does not allow releasing it");
      return null;
    }
  }

  /** Whether upgraded sockets' upgrade requests can be released with this Vert.x version. */
  public static boolean available() {
    return FACTORY != null;
  }

  /** Empties the upgrade headers an open socket keeps; call once the session has read what it needs from them. */
  public static void dropHeaders(ServerWebSocket ws) {
    MultiMap headers = ws.headers();
    if (headers != null) {
      headers.clear();
    }
  }

  /**
   * Releases the upgrade of the WebSocket on {@code channel}; returns whether it did (false: no channel, no Vert.x
   * handler in its pipeline, or not {@link #available()}).
   */
  public static boolean release(Channel channel) {
    if (FACTORY == null || channel == null) {
      return false;
    }
    ChannelHandler h = channel.pipeline().get(VertxHandler.class);
    if (h == null) {
      return false;
    }
    try {
      FACTORY.set(h, null);
      return true;
    } catch (IllegalAccessException | RuntimeException e) {
      return false;
    }
  }
}
