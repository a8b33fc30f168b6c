package io.switchboard.common.bridge;

import io.switchboard.common.bridge.BridgePolicy.Verdict;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SockJS event-bus bridge at {@code /eventbus} (docs/operations.md, Bridges): Vert.x's bridge with its
 * permission lists set to the configured addresses, and a bridge-event hook that applies {@link BridgePolicy} to
 * every message a client sends, drops messages to a client whose write queue is full and cuts it once the queue
 * stayed full for the grace. A refused message gets the bridge's error frame ({@code rejected}); each refusal is
 * counted in {@link BridgeMetrics} with {@code bridge="sockjs"}.
 */
public final class SockJsBridge {
  /** The path the bridge is served under. */
  public static final String PATH = "/eventbus";

  private final BridgePolicy policy;
  private final BridgeMetrics metrics;
  /** Each socket's budget; an entry is only read and written on its socket's context. */
  private final Map<SockJSSocket, SocketBudget> budgets = new ConcurrentHashMap<>();

  private SockJsBridge(BridgePolicy policy, BridgeMetrics metrics) {
    this.policy = policy;
    this.metrics = metrics;
  }

  /** Mounts the bridge on {@code router} under {@link #PATH}. */
  public static void mount(Router router, Vertx vertx, BridgePolicy policy, BridgeMetrics metrics) {
    SockJsBridge bridge = new SockJsBridge(policy, metrics);
    SockJSHandlerOptions handlerOptions = new SockJSHandlerOptions().setRegisterWriteHandler(false);
    SockJSBridgeOptions options = policy.permit(new SockJSBridgeOptions())
        .setMaxHandlersPerSocket(Math.max(1, policy.settings().outbound().size()))
        .setMaxAddressLength(256);
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, handlerOptions).bridge(options, bridge::handle));
  }

  private void handle(BridgeEvent event) {
    SockJSSocket socket = event.socket();
    BridgeEventType type = event.type();
    long now = System.currentTimeMillis();
    switch (type) {
      case SOCKET_CREATED -> {
        socket.setWriteQueueMaxSize(policy.settings().writeQueueMaxBytes());
        budgets.put(socket, new SocketBudget());
        event.complete(true);
      }
      case SOCKET_CLOSED -> {
        budgets.remove(socket);
        event.complete(true);
      }
      case RECEIVE -> {
        SocketBudget budget = budgets.get(socket);
        boolean full = socket.writeQueueFull();
        if (budget != null && budget.queueFull(full, now, policy.settings().slowConsumerGraceMs())) {
          metrics.error(BridgeMetrics.Reason.SLOW_CONSUMER);
          budgets.remove(socket);
          socket.close();
        }
        event.complete(!full);
      }
      default -> {
        SocketBudget budget = budgets.computeIfAbsent(socket, s -> new SocketBudget());
        Verdict v = policy.inbound(type, event.getRawMessage(), budget, now);
        if (v instanceof Verdict.Refused r) {
          metrics.refused(r.addressClass());
          event.complete(false);
        } else if (v instanceof Verdict.Bad b) {
          metrics.error(b.reason());
          event.complete(false);
          if (b.close()) {
            budgets.remove(socket);
            socket.close();
          }
        } else {
          event.complete(true);
        }
      }
    }
  }
}
