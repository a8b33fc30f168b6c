package io.switchboard.hub;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.switchboard.common.Addresses;
import io.switchboard.common.hub.HubEvent;
import io.switchboard.hub.session.PendingHandshakes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * HAIP on /haip and /haip/websocket: upgrades, the node's transaction consumer, its client list, liveness pings,
 * execution timeouts, the memory-pressure sweep, and closing every session with 1001 when the node drains (clients before agents).
 */
final class HaipVerticle extends VerticleBase {
  /** In a drain, how long client sockets get to close before agent sockets are closed anyway. */
  private static final long CLIENTS_FIRST_MS = 1_000;
  /** In a drain, how long agents get to be handed the cancellations of this node's clients before they are closed. */
  private static final long CANCELS_DELIVERED_MS = 500;
  /** A drain completes once every HAIP socket closed, or after this long. */
  private static final long DRAIN_MAX_MS = 2_000;
  /** How often a drain looks again whether sockets closed and cancellations were handed over. */
  private static final long DRAIN_POLL_MS = 20;
  /** How often the memory budget's pressure is checked (and, above its high-water mark, windows shed). */
  private static final long MEMORY_SWEEP_MS = 250;
  private final Hub rt;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Counter undeliveredCancels;

  HaipVerticle(Hub rt) {
    this.rt = rt;
  }

  @Override
  public Future<?> start() {
    rt.node.router().route("/haip").handler(rc -> Upgrades.upgrade(rc, rt, this::opened));
    rt.node.router().route("/haip/websocket").handler(rc -> Upgrades.upgrade(rc, rt, this::opened));
    MessageConsumer<JsonObject> tx = vertx.eventBus().consumer(Addresses.nodeTx(rt.nodeId), rt.tx::onNodeTx);
    MessageConsumer<JsonObject> clients = vertx.eventBus().consumer(Addresses.nodeClients(rt.nodeId), m -> m.reply(clients(m.body())));
    consumers.add(tx);
    consumers.add(clients);
    long ping = Math.max(100, rt.settings.pingIntervalMs());
    vertx.setPeriodic(ping, id -> heartbeat());
    long sweep = Math.max(50, Math.min(1000, rt.settings.executionTimeoutMs() / 4));
    vertx.setPeriodic(sweep, id -> rt.tx.loss.timeouts(System.currentTimeMillis()));
    vertx.setPeriodic(MEMORY_SWEEP_MS, id -> rt.tx.loss.memorySweep(System.currentTimeMillis()));
    undeliveredCancels = Counter.builder("switchboard.drain.cancellations.undelivered")
        .description("Transactions of a draining node's clients whose agent (on the same node) was closed before it "
            + "was handed its TRANSACTION_END CANCELLED")
        .register(rt.node.metrics().registry());
    rt.node.shutdown().onDrain(this::drain);
    return Future.all(tx.completion(), clients.completion());
  }

  private String opened(ServerWebSocket ws, Context ctx,
      PendingHandshakes.Slot pending, Channel channel) {
    HaipSession session = new HaipSession(ws, ctx, rt, pending);
    session.open(channel);
    return session.id;
  }

  private void heartbeat() {
    long now = System.currentTimeMillis();
    rt.sessions.forEachSession(s -> s.heartbeat(now));
  }

  /** {@code {type?, limit}} → {@code {clients:[...], total}}: the oldest {@code limit} by connected_at. */
  private JsonObject clients(JsonObject q) {
    String type = q == null ? null : q.getString("type");
    int limit = q == null ? 100 : Math.max(0, q.getInteger("limit", 100));
    return rt.sessions.clients(type, limit, rt.nodeId, System.currentTimeMillis());
  }

  /**
   * Drain: every HAIP socket closes with 1001, clients first, then agents once they were handed the cancellations of
   * those clients' transactions (bounded, see {@link #cancelsDelivered()}); completes when they are all closed (2 s
   * at most). Clients first, so that a transaction whose client and agent are both on this node ends CANCELLED
   * when its client's socket closes (what that client saw: a 1001 close) and its agent hears TRANSACTION_END
   * CANCELLED before its own socket closes. With agents closed first, the agent's close failed it PROVIDER_LOST
   * with an ERROR written to the client's socket after its close frame: never delivered, yet counted.
   */
  private Future<?> drain() {
    rt.events.emit(HubEvent.STOPPED, null, new JsonObject());
    Predicate<SessionRegistry.Entry> clients = e -> e.role() != Role.AGENT;
    Promise<Void> clientsClosed = Promise.promise();
    long clientsTimer = vertx.setTimer(CLIENTS_FIRST_MS, t -> clientsClosed.tryComplete());
    closeSessions(clients).onComplete(ar -> waitClosed(clients, clientsClosed, clientsTimer));
    Promise<Void> done = Promise.promise();
    long timer = vertx.setTimer(DRAIN_MAX_MS, t -> done.tryComplete());
    clientsClosed.future()
        .compose(v -> cancelsDelivered())
        .compose(v -> closeSessions(e -> true))
        .onComplete(ar -> waitClosed(e -> true, done, timer));
    return done.future();
  }

  /**
   * After the clients closed: waits (at most {@link #CANCELS_DELIVERED_MS}) until every agent of this node serving a
   * transaction of one of those clients has been handed its TRANSACTION_END CANCELLED (its provider-side entry is
   * gone once the agent's event loop wrote it), and counts those still undelivered when the wait ends.
   */
  private Future<Void> cancelsDelivered() {
    Promise<Void> delivered = Promise.promise();
    long deadline = System.nanoTime() + CANCELS_DELIVERED_MS * 1_000_000;
    checkCancels(delivered, deadline);
    return delivered.future();
  }

  private void checkCancels(Promise<Void> delivered, long deadline) {
    long pending = rt.tx.loss.servedForLocalClients();
    if (pending == 0) {
      delivered.complete();
    } else if (System.nanoTime() - deadline > 0) {
      undeliveredCancels.increment(pending);
      delivered.complete();
    } else {
      vertx.setTimer(DRAIN_POLL_MS, t -> checkCancels(delivered, deadline));
    }
  }

  private Future<Void> closeSessions(Predicate<SessionRegistry.Entry> which) {
    return rt.sessions.forEach(which, s -> s.close((short) 1001, "server shutting down"));
  }

  private void waitClosed(Predicate<SessionRegistry.Entry> which, Promise<Void> done, long timer) {
    if (rt.sessions.none(which)) {
      vertx.cancelTimer(timer);
      done.tryComplete();
    } else if (!done.future().isComplete()) {
      vertx.setTimer(DRAIN_POLL_MS, t -> waitClosed(which, done, timer));
    }
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> f = new ArrayList<>();
    consumers.forEach(c -> f.add(c.unregister()));
    return Future.join(f);
  }
}
