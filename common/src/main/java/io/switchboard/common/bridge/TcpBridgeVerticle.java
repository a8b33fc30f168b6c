package io.switchboard.common.bridge;

import io.netty.channel.ChannelPipeline;
import io.switchboard.common.Addresses;
import io.switchboard.common.auth.Authority;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Handler;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.impl.NetServerInternal;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;

/**
 * The TCP event-bus bridge on {@code bridge.tcp.port} (docs/operations.md, Bridges): Vert.x's bridge with the same
 * open addresses as {@code /eventbus}. Each connection gets a {@link TcpFrameGuard} (frame size, JSON, rate, slow
 * reader); the bridge-event hook refuses a message to an address that is not open (Vert.x's bridge then sends an
 * error frame), counted with {@code bridge="tcp"}. Started when it listens.
 */
public final class TcpBridgeVerticle extends VerticleBase {
  private final BridgePolicy policy;
  private final BridgeMetrics metrics;
  private final BridgeSockets sockets;
  private final Authority authority;
  private TcpEventBusBridge bridge;

  public TcpBridgeVerticle(BridgePolicy policy, BridgeMetrics metrics, BridgeSockets sockets, Authority authority) {
    this.policy = policy;
    this.metrics = metrics;
    this.sockets = sockets;
    this.authority = authority;
  }

  @Override
  public Future<?> start() {
    BridgeSettings s = policy.settings();
    ServerCapture capture = new ServerCapture((VertxInternal) vertx);
    bridge = TcpEventBusBridge.create(capture, policy.permit(new BridgeOptions()),
        new NetServerOptions().setHost(s.host()).setPort(s.tcpPort()).setTcpNoDelay(true), this::handle);
    NetServer server = capture.server;
    if (server == null) {
      return Future.failedFuture(new IllegalStateException("the TCP bridge made no server to guard"));
    }
    Handler<NetSocket> bridged = server.connectHandler();
    server.connectHandler(socket -> {
      if (!sockets.tryOpen()) {
        metrics.error(BridgeMetrics.Reason.SOCKET_LIMIT);
        socket.close();
        return;
      }
      if (!guard(socket)) {
        sockets.closed();
        socket.close();
        return;
      }
      bridged.handle(socket);
    });
    return bridge.listen();
  }

  /**
   * Vert.x's TCP bridge sends no event when a socket opens, so the guard goes in from the server's connect
   * handler, before the bridge reads anything: this Vert.x hands the bridge its server and keeps it.
   */
  private static final class ServerCapture extends VertxWrapper {
    private NetServerInternal server;

    ServerCapture(VertxInternal delegate) {
      super(delegate);
    }

    @Override
    public NetServerInternal createNetServer(NetServerOptions options) {
      server = super.createNetServer(options);
      return server;
    }
  }

  /** Puts a {@link TcpFrameGuard} before Vert.x's handler; false when the socket offers no pipeline to guard. */
  private boolean guard(NetSocket socket) {
    if (!(socket instanceof NetSocketInternal internal)) {
      return false;
    }
    ChannelPipeline p = internal.channelHandlerContext().pipeline();
    TcpFrameGuard guard = new TcpFrameGuard(policy.settings(), metrics, sockets::closed);
    if (p.get("handler") != null) {
      p.addBefore("handler", TcpFrameGuard.NAME, guard);
    } else {
      p.addFirst(TcpFrameGuard.NAME, guard);
    }
    return true;
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }

  private void handle(BridgeEvent event) {
    switch (event.type()) {
      case SEND, PUBLISH, REGISTER, UNREGISTER -> {
        JsonObject raw = event.getRawMessage();
        if (!policy.admit(event.type(), raw, metrics)) {
          event.complete(false);
        } else if (BridgePolicy.needsAdmin(event.type(), raw) || hubEvents(event.type(), raw)) {
          adminOnly(event, raw);
        } else {
          event.complete(true);
        }
      }
      default -> event.complete(true);
    }
  }

  /**
   * The TCP bridge cannot filter what it delivers per socket, so a registration for hub events needs an admin
   * credential, like a write.
   */
  private static boolean hubEvents(BridgeEventType type, JsonObject raw) {
    return type == BridgeEventType.REGISTER && Addresses.HUB_EVENTS.equals(raw.getValue("address"));
  }

  /** Lets the message pass only with an admin credential in its frame's {@code headers.authorization}; else counted. */
  private void adminOnly(BridgeEvent event, JsonObject raw) {
    JsonObject headers = raw.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
    Object credential = headers.getValue("authorization") != null ? headers.getValue("authorization")
        : headers.getValue("Authorization");
    authority.authenticate(credential instanceof String c ? c : null).onComplete(ar -> {
      boolean admin = ar.succeeded() && ar.result().ok() && ar.result().identity().admin();
      if (!admin) {
        metrics.error(BridgeMetrics.Reason.UNAUTHORIZED);
      }
      event.complete(admin);
    });
  }
}
