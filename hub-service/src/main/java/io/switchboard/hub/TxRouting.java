package io.switchboard.hub;

import io.switchboard.common.Addresses;
import io.switchboard.common.hub.HubAddresses;
import io.switchboard.hub.protocol.Frame;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Where this node's transactions are held, and how their messages travel. Every transaction this node takes part in
 * is on a board, keyed by transaction id, as its {@link ClientTx} (this node's client started it) or its
 * {@link ProviderTx} (this node's agent serves it). Each entry is added and removed only on the event loop of the
 * session that holds it; other contexts look entries up to find that loop and run there (docs/architecture.md,
 * "Threading rule"). Messages between the two nodes of a transaction go to the other node's one transaction address,
 * {@link Addresses#nodeTx(String)}, with the transaction id and a {@link TxOp} in headers.
 */
final class TxRouting {
  /** The key of a forwarded frame's members in the body of a transaction message. */
  static final String MEMBERS = "members";
  /**
   * Set (true) in a transaction's request to the tool's provider and in the provider's reply by a node that reads
   * forwarded frames as {@link #MEMBERS}; toward a node that does not say so (an older version, during a rolling
   * upgrade) frames go whole, as that node reads them.
   */
  static final String READS_MEMBERS = "readsForwardedMembers";
  private final EventBus bus;
  private final Map<String, ClientTx> started = new ConcurrentHashMap<>();
  private final Map<String, ProviderTx> served = new ConcurrentHashMap<>();

  TxRouting(EventBus bus) {
    this.bus = bus;
  }

  /** The client's loop. */
  void add(ClientTx ct) {
    started.put(ct.id, ct);
  }

  /** The client's loop. */
  void remove(ClientTx ct) {
    started.remove(ct.id, ct);
  }

  /** The agent's loop. */
  void add(ProviderTx pt) {
    served.put(pt.id, pt);
  }

  /** The agent's loop. */
  void remove(ProviderTx pt) {
    served.remove(pt.id, pt);
  }

  /** Any context: read only the final fields of what it returns. */
  ClientTx started(String txId) {
    return started.get(txId);
  }

  /** Any context. */
  ProviderTx served(String txId) {
    return served.get(txId);
  }

  /** Any context; {@code action} may read only the final fields (it runs on the caller's context). */
  void forEachStarted(Consumer<ClientTx> action) {
    started.values().forEach(action);
  }

  /** Any context (ProviderTx fields are final). */
  void forEachServed(Consumer<ProviderTx> action) {
    served.values().forEach(action);
  }

  /** Any context. */
  long countServed(Predicate<ProviderTx> which) {
    return served.values().stream().filter(which).count();
  }

  /**
   * Forwards a frame to the other side of transaction {@code txId} on {@code node}: its members as the sender wrote
   * them ({@link Frame#forwardMembers()}, under {@link #MEMBERS}), with its id and type for the receiver's monitors;
   * the receiving session writes them with its own session id and seq ({@link HaipSession#forward}). To a node that
   * has not said it reads them ({@link #READS_MEMBERS}), the whole frame.
   */
  void forward(String node, String txId, TxOp op, Frame f, boolean nodeReadsMembers) {
    send(node, txId, op, nodeReadsMembers
        ? new JsonObject().put(MEMBERS, f.forwardMembers()).put("id", f.id).put("type", f.type)
        : f.tree());
  }

  /**
   * Sends {@code op} for transaction {@code txId} to {@code node}'s transaction address (either side). Never traced:
   * a span per relayed frame would cost more than it tells (docs/operations.md, Tracing).
   */
  void send(String node, String txId, TxOp op, JsonObject body) {
    bus.send(Addresses.nodeTx(node), body, new DeliveryOptions().addHeader(HubAddresses.TX_HEADER, txId)
        .addHeader(HubAddresses.OP_HEADER, op.wire).setTracingPolicy(TracingPolicy.IGNORE));
  }
}
