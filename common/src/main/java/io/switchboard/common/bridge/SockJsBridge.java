package io.switchboard.common.bridge;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.switchboard.common.Addresses;
import io.switchboard.common.auth.Authority;
import io.switchboard.common.auth.EventView;
import io.switchboard.common.auth.Identity;
import io.switchboard.common.auth.ToolPatterns;
import io.switchboard.common.http.AccessLogHandler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.impl.EventBusBridgeImpl;
import java.util.List;
import java.util.Set;

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

  /** A socket without a credential where one is configured: no role. */
  private static final Identity ANONYMOUS = new Identity(Identity.ANONYMOUS, Set.of(), ToolPatterns.NONE,
      ToolPatterns.NONE, ToolPatterns.NONE);

  private final BridgePolicy policy;
  private final BridgeMetrics metrics;
  private final BridgeSockets sockets;
  private final Authority authority;

  private SockJsBridge(BridgePolicy policy, BridgeMetrics metrics, BridgeSockets sockets, Authority authority) {
    this.policy = policy;
    this.metrics = metrics;
    this.sockets = sockets;
    this.authority = authority;
  }

  /**
   * Mounts the bridge on {@code router} under {@link #PATH}: Vert.x's SockJS bridge (what {@code SockJSHandler.bridge}
   * installs), handed each socket wrapped in a {@link GuardedSockJSSocket}.
   */
  public static void mount(Router router, Vertx vertx, BridgePolicy policy, BridgeMetrics metrics, BridgeSockets sockets,
      Authority authority) {
    SockJsBridge bridge = new SockJsBridge(policy, metrics, sockets, authority);
    SockJSHandlerOptions handlerOptions = new SockJSHandlerOptions().setRegisterWriteHandler(false);
    SockJSBridgeOptions options = policy.permit(new SockJSBridgeOptions())
        .setMaxHandlersPerSocket(policy.settings().outbound().size() + PENDING_REPLIES)
        .setMaxAddressLength(256);
    EventBusBridgeImpl vertxBridge = new EventBusBridgeImpl(vertx, null, options, bridge::handle);
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, handlerOptions).socketHandler(socket -> {
      // a WebSocket transport's upgrade gets its access line here (status 101); the other transports are plain requests
      AccessLogHandler.upgraded(socket.routingContext(), null);
      vertxBridge.handle(new GuardedSockJSSocket(vertx, socket, policy.settings(), metrics));
    }));
  }

  /**
   * Takes the socket's identity from its credential (the upgrade's Authorization header or access_token parameter):
   * without one it is anonymous (no role: the read queries and stats, alerts and health, no hub events when
   * authentication is configured); a credential that is refused closes the socket, counted as unauthorized.
   */
  private void identify(BridgeEvent event, GuardedSockJSSocket socket) {
    String credential = socket.headers() == null ? null : socket.headers().get("Authorization");
    if (credential == null && socket.uri() != null) {
      credential = new QueryStringDecoder(socket.uri()).parameters().getOrDefault("access_token", List.of()).stream()
          .findFirst().orElse(null);
    }
    if (Authority.stripBearer(credential) == null && authority.settings().required()) {
      socket.identity = ANONYMOUS;
      event.complete(true);
      return;
    }
    authority.authenticate(credential).onComplete(ar -> {
      Authority.Outcome o = ar.succeeded() ? ar.result() : null;
      if (o != null && o.ok()) {
        socket.identity = o.identity();
        event.complete(true);
      } else {
        metrics.error(BridgeMetrics.Reason.UNAUTHORIZED);
        event.complete(false);
      }
    });
  }

  /**
   * Whether a message may go to the socket: hub events only in the view its identity allows ({@link EventView}); a
   * redacted view replaces the body in the socket's own envelope.
   */
  private static boolean visible(JsonObject raw, Identity who) {
    if (raw == null || !Addresses.HUB_EVENTS.equals(raw.getValue("address")) || !(raw.getValue("body") instanceof JsonObject body)) {
      return true;
    }
    JsonObject v = EventView.view(body, who);
    if (v == null) {
      return false;
    }
    if (v != body) {
      raw.put("body", v);
    }
    return true;
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
        identify(event, socket);
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
        event.complete(!full && visible(event.getRawMessage(), socket.identity));
      }
      case SEND, PUBLISH, REGISTER, UNREGISTER -> {
        if (!policy.admit(type, event.getRawMessage(), metrics)) {
          event.complete(false);
        } else if (BridgePolicy.needsAdmin(type, event.getRawMessage()) && (socket.identity == null || !socket.identity.admin())) {
          metrics.error(BridgeMetrics.Reason.UNAUTHORIZED);
          event.complete(false);
        } else {
          event.complete(true);
        }
      }
      default -> event.complete(true);
    }
  }
}
