package io.switchboard.common.bridge;

import io.switchboard.common.http.AccessLogHandler;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.impl.EventBusBridgeImpl;

/**
 * The SockJS event-bus bridge at {@code /eventbus} (docs/operations.md, Bridges): Vert.x's bridge with its
 * permission lists set to the configured addresses. Each socket is a {@link GuardedSockJSSocket} (message size, rate,
 * JSON); a bridge-event hook applies {@link BridgePolicy#permitted} to every message a client sends, drops messages to
 * a client whose write queue is full and cuts it once the queue stayed full for the grace. A refused message gets the bridge's error frame ({@code rejected}); each refusal is
 * counted in {@link BridgeMetrics} with {@code bridge="sockjs"}.
 */
public final class SockJsBridge {
  /** The path the bridge is served under. */
  public static final String PATH = "/eventbus";

  /**
   * Read queries one socket may have awaiting their reply at once: Vert.x counts each against the socket's handler
   * limit together with its registrations, so the limit is one per outbound address plus these.
   */
  static final int PENDING_REPLIES = 16;

  private final BridgePolicy policy;
  private final BridgeMetrics metrics;
  private final BridgeSockets sockets;

  private SockJsBridge(BridgePolicy policy, BridgeMetrics metrics, BridgeSockets sockets) {
    this.policy = policy;
    this.metrics = metrics;
    this.sockets = sockets;
  }

  /**
   * Mounts the bridge on {@code router} under {@link #PATH}: Vert.x's SockJS bridge (what {@code SockJSHandler.bridge}
   * installs), handed each socket wrapped in a {@link GuardedSockJSSocket}.
   */
  public static void mount(Router router, Vertx vertx, BridgePolicy policy, BridgeMetrics metrics, BridgeSockets sockets) {
    SockJsBridge bridge = new SockJsBridge(policy, metrics, sockets);
    SockJSHandlerOptions handlerOptions = new SockJSHandlerOptions().setRegisterWriteHandler(false);
    SockJSBridgeOptions options = policy.permit(new SockJSBridgeOptions())
        .setMaxHandlersPerSocket(policy.settings().outbound().size() + PENDING_REPLIES)
        .setMaxAddressLength(256);
    EventBusBridgeImpl vertxBridge = new EventBusBridgeImpl(vertx, null, options, bridge::handle);
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, handlerOptions).socketHandler(socket -> {
      // a WebSocket transport's upgrade gets its access line here (status 101); the other transports are plain requests
      AccessLogHandler.upgraded(socket.routingContext(), null);
      vertxBridge.handle(new GuardedSockJSSocket(socket, policy.settings(), metrics));
    }));
  }

  private void handle(BridgeEvent event) {
    if (!(event.socket() instanceof GuardedSockJSSocket socket)) {
      event.complete(false);
      return;
    }
    BridgeEventType type = event.type();
    switch (type) {
      case SOCKET_CREATED -> {
        if (!sockets.tryOpen()) {
          metrics.error(BridgeMetrics.Reason.SOCKET_LIMIT);
          event.complete(false);
          return;
        }
        socket.counted = true;
        socket.setWriteQueueMaxSize(policy.settings().writeQueueMaxBytes());
        event.complete(true);
      }
      case SOCKET_CLOSED -> {
        if (socket.counted) {
          socket.counted = false;
          sockets.closed();
        }
        event.complete(true);
      }
      case RECEIVE -> {
        boolean full = socket.writeQueueFull();
        if (socket.budget.queueFull(full, System.currentTimeMillis(), policy.settings().slowConsumerGraceMs())) {
          socket.cut(BridgeMetrics.Reason.SLOW_CONSUMER);
        }
        event.complete(!full);
      }
      case SEND, PUBLISH, REGISTER, UNREGISTER -> {
        event.complete(policy.admit(type, event.getRawMessage(), metrics));
      }
      default -> event.complete(true);
    }
  }
}
