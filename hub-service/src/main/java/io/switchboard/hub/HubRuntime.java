package io.switchboard.hub;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.metrics.NodeCounters;
import io.switchboard.common.node.NodeContext;
import io.switchboard.hub.session.Authenticator;
import io.switchboard.hub.session.MemoryBudget;
import io.switchboard.hub.session.PendingHandshakes;
import io.switchboard.hub.session.ReplayWindow;
import io.switchboard.hub.tools.ToolDef;
import io.switchboard.hub.tools.ToolDirectory;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub's node-wide state, shared by its verticles and sessions: sessions, transactions on either side, the
 * cluster tool directory, this node's offered tools. Maps are concurrent; a session's own state is touched only on
 * its event loop ({@link #on(Context, Runnable)} hops there).
 */
final class HubRuntime {
  final NodeContext node;
  final HubSettings settings;
  final Vertx vertx;
  final EventBus bus;
  final NodeCounters counters;
  final String nodeId;
  final Authenticator auth;
  final ToolDirectory directory = new ToolDirectory();
  final HubEvents events;
  final Transactions tx;
  final Monitors monitors;
  /** The node-wide accountant of replay windows and open transactions (hub.memory.budget). */
  final MemoryBudget memory;
  final Map<String, HaipSession> sessions = new ConcurrentHashMap<>();
  final Map<String, ClientTx> clientTx = new ConcurrentHashMap<>();
  final Map<String, ProviderTx> providerTx = new ConcurrentHashMap<>();
  /** Open WebSockets of this node (HAIP and monitor), checked against hub.maxConnections at the upgrade. */
  final AtomicInteger openSockets = new AtomicInteger();
  /** Sockets of this node that have not completed their handshake (HAI on /haip, a first request on /ws). */
  final PendingHandshakes pending;
  private final Map<HaipSession, List<ToolDef>> localTools = new ConcurrentHashMap<>();
  private volatile Runnable announcer = () -> {};
  /** The local member as last read, with its UUID as text (the text is made once per member, not per read). */
  private volatile LocalMember localMember;

  private record LocalMember(UUID uuid, String text) {}

  HubRuntime(NodeContext node, HubSettings settings, Authenticator auth) {
    this.node = node;
    this.settings = settings;
    this.vertx = node.vertx();
    this.bus = node.vertx().eventBus();
    this.counters = node.counters();
    this.nodeId = node.nodeId();
    this.auth = auth;
    this.pending = new PendingHandshakes(settings.maxPendingHandshakes(),
        settings.maxPendingHandshakesPerAddress());
    this.events = new HubEvents(bus, nodeId, directory, node.metrics().registry());
    // the limit next to the count, so a Prometheus rule can alert at a share of it without knowing the setting
    Gauge.builder("switchboard.connections.limit", settings, s -> s.maxConnections())
        .description("hub.maxConnections: WebSocket upgrades beyond this many open sessions are refused with HTTP 503")
        .register(node.metrics().registry());
    this.memory = new MemoryBudget(settings.memoryBudgetBytes(), settings.replayMaxAgeMs());
    registerMemoryMeters(node.metrics().registry());
    this.tx = new Transactions(this);
    this.monitors = new Monitors(this);
    directory.put(nodeId, clusterNodeId(), List.of(), false, System.currentTimeMillis());
  }

  /**
   * This node's Hazelcast member UUID now: what other members' membership events name when this node leaves or
   * dies. Read each time, never kept: a member that was split off (paused past the member timeout) and merges back
   * gets a new UUID, and announcing the old one would leave its tools and transactions unmatched when it later
   * dies. Cheap (a field read; the text is cached per UUID). Unclustered, the node id. After Hazelcast stopped,
   * the last UUID read.
   */
  String clusterNodeId() {
    if (!node.clustered()) {
      return nodeId;
    }
    LocalMember last = localMember;
    UUID now;
    try {
      now = node.clusterManager().getHazelcastInstance().getCluster().getLocalMember().getUuid();
    } catch (RuntimeException e) {
      // Hazelcast already shut down (the node is stopping): the last UUID is the one the others knew
      return last == null ? nodeId : last.text();
    }
    if (last == null || !last.uuid().equals(now)) {
      last = new LocalMember(now, now.toString());
      localMember = last;
    }
    return last.text();
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

  void announcer(Runnable r) {
    announcer = r;
  }

  void offerTools(HaipSession s, List<ToolDef> tools) {
    localTools.put(s, tools);
    localStateChanged();
  }

  void withdrawTools(HaipSession s) {
    if (localTools.remove(s) != null) {
      localStateChanged();
    }
  }

  /** The tools this node's agents offer, one entry per name. */
  List<ToolDef> localTools() {
    Map<String, ToolDef> m = new LinkedHashMap<>();
    for (List<ToolDef> l : localTools.values()) {
      for (ToolDef t : l) {
        m.putIfAbsent(t.name(), t);
      }
    }
    return new ArrayList<>(m.values());
  }

  /** This node's tools or events interest changed: update the local view and tell the cluster at once. */
  void localStateChanged() {
    directory.put(nodeId, clusterNodeId(), localTools(), monitors.localEventsInterest(), System.currentTimeMillis());
    announcer.run();
  }
}
