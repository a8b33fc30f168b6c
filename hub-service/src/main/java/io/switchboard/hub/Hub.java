package io.switchboard.hub;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.metrics.NodeCounters;
import io.switchboard.common.node.NodeContext;
import io.switchboard.common.auth.Authority;
import io.switchboard.hub.session.MemoryBudget;
import io.switchboard.hub.session.ReplayWindow;
import io.switchboard.hub.tools.ToolDirectory;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.List;

/**
 * The parts of a node's hub, wired once at deploy and shared by its verticles and sessions. It holds no mutable
 * state of its own: each part below owns its state on one event-loop context, or is node-wide accounting (atomics
 * with one writer class), as docs/architecture.md ("Threading rule") lists.
 */
final class Hub {
  final NodeContext node;
  final HubSettings settings;
  final Vertx vertx;
  final EventBus bus;
  final NodeCounters counters;
  final String nodeId;
  /** Turns credentials into identities (the node's). */
  final Authority auth;
  /** This node's Hazelcast member id, as announced and as carried in transactions. */
  final LocalMember member;
  /** The cluster's tools and event interest: written on the cluster verticle's context, read anywhere (snapshots). */
  final ToolDirectory directory = new ToolDirectory();
  /** This node's offer to the cluster (its agents' tools, its monitors' event interest); the cluster verticle's context. */
  final ToolOffers offers;
  final HubEvents events;
  /** Upgrades admitted against hub.maxConnections and the pending-handshake caps (accounting). */
  final Admission admission;
  /** The node's HAIP sessions: a board of immutable entries, each written by its own session. */
  final SessionRegistry sessions = new SessionRegistry();
  /** The node's replay windows and open transactions against hub.memory.budget (accounting). */
  final MemoryBudget memory;
  /** Transactions: routing, client side, provider side, loss and timeouts, replays. */
  final Transactions tx;
  /** The monitor stream's subscriptions and relays: the monitor verticle's context. */
  final Monitors monitors;
  /** Sessions' and transactions' spans (stateless). */
  final TxSpans spans;

  Hub(NodeContext node, HubSettings settings) {
    this.node = node;
    this.settings = settings;
    this.vertx = node.vertx();
    this.bus = node.vertx().eventBus();
    this.counters = node.counters();
    this.nodeId = node.nodeId();
    this.auth = node.auth();
    this.member = new LocalMember(node);
    MeterRegistry registry = node.metrics().registry();
    this.admission = new Admission(settings, counters, registry);
    this.events = new HubEvents(bus, nodeId, directory, registry);
    this.memory = new MemoryBudget(settings.memoryBudgetBytes(), settings.replayMaxAgeMs());
    registerMemoryMeters(registry);
    this.offers = new ToolOffers(nodeId, member, directory);
    this.spans = new TxSpans(node.tracing());
    this.monitors = new Monitors(this);
    this.tx = new Transactions(this);
    directory.put(nodeId, member.id(), List.of(), false, System.currentTimeMillis());
  }

  /** Runs {@code r} on {@code ctx}: at once when already there, else queued to it. */
  static void on(Context ctx, Runnable r) {
    if (Vertx.currentContext() == ctx) {
      r.run();
    } else {
      ctx.runOnContext(v -> r.run());
    }
  }

  ReplayWindow newReplay() {
    return new ReplayWindow(settings.replayMaxFrames(), settings.replayMaxAgeMs(), settings.replayMaxBytes(), memory);
  }

  private void registerMemoryMeters(MeterRegistry r) {
    Gauge.builder("switchboard.memory.budget", memory, MemoryBudget::limit)
        .baseUnit("bytes").description("hub.memory.budget: bytes for replay windows and open transactions on this node")
        .register(r);
    Gauge.builder("switchboard.replay", memory, MemoryBudget::replayBytes)
        .baseUnit("bytes").description("Bytes the replay windows of this node hold")
        .register(r);
    Gauge.builder("switchboard.memory.transactions", memory, MemoryBudget::transactionBytes)
        .baseUnit("bytes").description("Bytes charged to open transactions on this node (a fixed cost each)")
        .register(r);
    FunctionCounter.builder("switchboard.replay.evicted", memory, MemoryBudget::evictedBytes)
        .baseUnit("bytes").description("Replay frame bytes dropped to stay within hub.memory.budget")
        .register(r);
    FunctionCounter.builder("switchboard.memory.refused.transactions", memory,
            MemoryBudget::refusedTransactions)
        .description("Transactions this node's hub.memory.budget refused (as the client's or the provider's node)")
        .register(r);
  }
}
