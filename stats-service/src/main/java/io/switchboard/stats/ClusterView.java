package io.switchboard.stats;

import io.switchboard.common.metrics.Histograms;
import io.switchboard.common.stats.ClusterStats;
import io.switchboard.common.stats.ClusterStats.DownNode;
import io.switchboard.common.stats.ClusterStats.PerNode;
import io.switchboard.common.stats.ClusterStats.Percentiles;
import io.switchboard.common.stats.LedgerEntry;
import io.switchboard.common.stats.NodeReport;
import io.switchboard.common.stats.Totals;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The pure merge of node reports into the cluster view (no Vert.x, no clock: callers pass {@code now}).
 *
 * <ul>
 *   <li>Totals: for every node id ever seen (live, stale, departed, or only known from the cluster ledger), its
 *       cumulative counters from the highest seq known; summed. They never decrease, whatever order reports,
 *       departures and ledger entries arrive in.</li>
 *   <li>Windows: per live node, differences of cumulative counters and histograms between its newest report and
 *       its baseline ({@link NodeState#window}); summed and merged.</li>
 *   <li>Gauges: live, not stale nodes only.</li>
 * </ul>
 */
public final class ClusterView {
  private final StatsSettings settings;
  private final Map<String, NodeState> nodes = new HashMap<>();
  /** Best known entry per node id: own reports merged with what the cluster ledger holds. */
  private final Map<String, LedgerEntry> ledger = new HashMap<>();
  /** What this replica believes the cluster ledger holds (to write only what changed). */
  private final Map<String, LedgerEntry> stored = new HashMap<>();
  private long lastReceivedAt = -1;
  private long version;
  private ClusterStats.Health health = ClusterStats.Health.NONE;
  private long healthAt = -1;

  public ClusterView(StatsSettings settings) {
    this.settings = settings;
  }

  /** Takes the counts of a cluster health view (docs/operations.md, "Cluster health") received at {@code now}. */
  public void healthCounts(ClusterStats.Health h, long now) {
    health = h;
    healthAt = now;
    version++;
  }

  /** The last health counts, or none when they are older than the staleness limit. */
  ClusterStats.Health healthCounts(long now) {
    return healthAt < 0 || now - healthAt > settings.staleMs() ? ClusterStats.Health.NONE : health;
  }

  /** Changes whenever the view does (for caching computed stats). */
  public long version() {
    return version;
  }

  /**
   * Takes a report. Returns false for a repeated or older seq, including a late report of a node id that has
   * departed. A newer report of a departed node id makes it live again (a split brain healed), unless it says the
   * node is stopping: then the node stays departed, as stopped, with that report's counters.
   */
  public boolean accept(NodeReport r, long now) {
    LedgerEntry known = ledger.get(r.nodeId());
    LedgerEntry fromReport = LedgerEntry.of(r, LedgerEntry.LIVE, null);
    if (known != null && known.departed()) {
      if (r.seq() <= known.seq()) {
        return false; // a late report of a departed node id: nothing newer than what the ledger holds
      }
      if (r.stopping()) {
        // the last reports of a graceful stop, overtaken by the member's departure: its counters count, it stays
        // departed, and the departure is a stop, not a loss
        ledger.put(r.nodeId(), LedgerEntry.merge(known, LedgerEntry.of(r, LedgerEntry.STOPPED, known.departedAt())));
        version++;
        return true;
      }
    }
    NodeState s = nodes.computeIfAbsent(r.nodeId(), NodeState::new);
    if (s.latest != null && r.seq() <= s.latest.seq()) {
      return false;
    }
    s.add(r, now, settings.windowMs());
    ledger.put(r.nodeId(), LedgerEntry.merge(known, fromReport));
    lastReceivedAt = Math.max(lastReceivedAt, now);
    version++;
    return true;
  }

  /** Entries read from the cluster ledger (at start, and now and then to converge with other replicas). */
  public void mergeStored(Collection<LedgerEntry> entries) {
    for (LedgerEntry e : entries) {
      if (e == null) {
        continue;
      }
      stored.put(e.nodeId(), LedgerEntry.merge(stored.get(e.nodeId()), e));
      LedgerEntry merged = LedgerEntry.merge(ledger.get(e.nodeId()), e);
      ledger.put(e.nodeId(), merged);
      if (merged.departed()) {
        // another replica (or the node itself, on a graceful stop) recorded the departure first
        nodes.remove(e.nodeId());
      }
      version++;
    }
  }

  /**
   * The whole content of the cluster ledger, as just read: merged in, and from now on the only thing this replica
   * believes is stored, so entries the map lost (more members gone at once than it has backups) are written again.
   */
  public void ledgerContent(Collection<LedgerEntry> entries) {
    stored.clear();
    mergeStored(entries);
  }

  /**
   * The cluster's current members (Vert.x node ids) as the cluster manager sees them: a node id whose member
   * has left is departed at once — "stopped" if its last report said it was stopping, else "left". Ledger
   * entries still live whose member is gone (a node that died while no stats service ran) depart too.
   *
   * @return the node ids departed by this call
   */
  public List<String> members(Set<String> memberIds, long now) {
    List<String> departed = new ArrayList<>();
    for (NodeState s : List.copyOf(nodes.values())) {
      if (memberIds.contains(s.latest.memberId())) {
        s.seenInMembers = true;
      } else if (s.seenInMembers) {
        nodes.remove(s.nodeId);
        String state = s.latest.stopping() ? LedgerEntry.STOPPED : LedgerEntry.LEFT;
        ledger.put(s.nodeId, LedgerEntry.merge(ledger.get(s.nodeId), ledger.get(s.nodeId).withState(state, now)));
        departed.add(s.nodeId);
      }
    }
    for (LedgerEntry e : List.copyOf(ledger.values())) {
      if (!e.departed() && !nodes.containsKey(e.nodeId()) && !memberIds.contains(e.memberId())
          && now - e.timestamp() > settings.staleMs()) {
        ledger.put(e.nodeId(), e.withState(LedgerEntry.LEFT, now));
        departed.add(e.nodeId());
      }
    }
    if (!departed.isEmpty()) {
      version++;
    }
    return departed;
  }

  /** Entries whose counters or state differ from what the cluster ledger is believed to hold. */
  public List<LedgerEntry> pendingWrites() {
    List<LedgerEntry> out = new ArrayList<>();
    ledger.forEach((id, e) -> {
      LedgerEntry s = stored.get(id);
      if (s == null || !s.state().equals(e.state()) || (s.seq() < e.seq() && !s.totals().equals(e.totals()))) {
        out.add(e);
      }
    });
    return out;
  }

  /** The cluster ledger now holds {@code e} (as written or read back). */
  public void written(LedgerEntry e) {
    mergeStored(List.of(e));
  }

  /** Node ids of live (not stale) nodes running the given role. */
  public List<String> liveNodesWithRole(String role, long now) {
    return sorted().stream().filter(s -> !s.stale(now, settings.staleMs()) && s.latest.hasRole(role))
        .map(s -> s.nodeId).toList();
  }

  /** Sum of every node id's cumulative counters (highest seq known of each). */
  public Totals totals() {
    Totals t = Totals.ZERO;
    for (LedgerEntry e : ledger.values()) {
      t = t.plus(e.totals());
    }
    return t;
  }

  private List<NodeState> sorted() {
    List<NodeState> list = new ArrayList<>(nodes.values());
    list.sort(Comparator.comparing((NodeState s) -> s.latest.name()).thenComparing(s -> s.nodeId));
    return list;
  }

  public ClusterStats stats(long now) {
    long staleMs = settings.staleMs();
    Totals totals = totals();
    Totals windowDelta = Totals.ZERO;
    Histogram latency = Histograms.newHistogram();
    Histogram execution = Histograms.newHistogram();
    double perSecond = 0;
    long active = 0, agents = 0, clients = 0, monitors = 0, running = 0, rss = 0, heapUsed = 0, heapTotal = 0;
    long oldestStart = Long.MAX_VALUE;
    int up = 0;
    Set<String> liveNames = new HashSet<>();
    List<PerNode> perNode = new ArrayList<>();
    List<DownNode> down = new ArrayList<>();
    for (NodeState s : sorted()) {
      NodeReport r = s.latest;
      boolean stale = s.stale(now, staleMs);
      JsonObject g = gauges(r);
      long heapMax = r.memory().heapMax();
      perNode.add(new PerNode(s.nodeId, r.name(), r.roles(), stale, g.getLong("activeConnections", 0L), r.maxConnections(),
          g.getLong("agents", 0L), g.getLong("clients", 0L), r.memory().heapUsed(), heapMax,
          heapMax > 0 ? (double) r.memory().heapUsed() / heapMax : 0, s.lastReceivedAt));
      if (stale) {
        continue;
      }
      up++;
      liveNames.add(r.name());
      active += g.getLong("activeConnections", 0L);
      agents += g.getLong("agents", 0L);
      clients += g.getLong("clients", 0L);
      monitors += g.getLong("monitors", 0L);
      running += r.counters().getJsonObject("executions", new JsonObject()).getLong("running", 0L);
      rss += Math.max(0, r.memory().rss());
      heapUsed += r.memory().heapUsed();
      heapTotal += r.memory().heapTotal();
      oldestStart = Math.min(oldestStart, r.startedAt());
      NodeState.Window w = s.window(settings.windowMs());
      windowDelta = windowDelta.plus(w.delta());
      if (w.spanMs() > 0) {
        perSecond += w.delta().messagesIn() * 1000.0 / w.spanMs();
      }
      latency.add(w.latencyUs());
      execution.add(w.executionUs());
    }
    for (NodeState s : sorted()) {
      // a node whose last report said it is stopping is leaving on purpose: quiet while it leaves the cluster,
      // not down
      if (s.stale(now, staleMs) && !liveNames.contains(s.latest.name()) && !s.latest.stopping()) {
        long since = s.lastReceivedAt + staleMs;
        if (now - since <= settings.downRetentionMs()) {
          down.add(new DownNode(s.nodeId, s.latest.name(), since, "stale"));
        }
      }
    }
    for (LedgerEntry e : ledger.values()) {
      if (LedgerEntry.LEFT.equals(e.state()) && e.departedAt() != null && now - e.departedAt() <= settings.downRetentionMs()
          && !liveNames.contains(e.name())) {
        down.add(new DownNode(e.nodeId(), e.name(), e.departedAt(), "left"));
      }
    }
    down.sort(Comparator.comparingLong(DownNode::since).thenComparing(DownNode::nodeId));
    long frames = windowDelta.framesReceived();
    long ended = windowDelta.executionsEnded();
    return ClusterStats.builder()
        .totalConnections(totals.connections())
        .activeConnections(active)
        .totalMessages(totals.messagesIn())
        .messagesOut(totals.messagesOut())
        .messagesPerSecond(perSecond)
        .averageLatency(latency.getTotalCount() == 0 ? 0 : latency.getMean() / 1000.0)
        .latency(percentiles(latency))
        .errorRate(frames == 0 ? 0 : Math.min(1.0, (double) windowDelta.errors() / frames))
        .errors(totals.errors())
        .errorsInWindow(windowDelta.errors())
        .framesInWindow(frames)
        .messagesInWindow(windowDelta.messagesIn())
        .uptime(oldestStart == Long.MAX_VALUE ? 0 : Math.max(0, now - oldestStart))
        .memoryUsage(new ClusterStats.MemoryUsage(rss, heapUsed, heapTotal))
        .toolExecutions(new ClusterStats.ToolExecutions(totals.executionsStarted(), totals.executionsCompleted(),
            totals.executionsFailed(), totals.executionsCancelled(), running))
        .executionsInWindow(new ClusterStats.ExecutionsInWindow(ended, windowDelta.executionsFailed()))
        .executionFailureRate(ended == 0 ? 0 : (double) windowDelta.executionsFailed() / ended)
        .executionDuration(percentiles(execution))
        .agentsConnected(agents)
        .clientsConnected(clients)
        .monitorsConnected(monitors)
        .connectionsRefused(totals.connectionsRefused())
        .nodes(nodes.size())
        .nodesUp(up)
        .nodesDown(down.size())
        .downNodes(down)
        .health(healthCounts(now))
        .window(settings.windowMs())
        .timestamp(now)
        .perNode(perNode)
        .build();
  }

  /** Milliseconds from a microsecond histogram; all zero when it is empty. */
  static Percentiles percentiles(Histogram us) {
    if (us.getTotalCount() == 0) {
      return Percentiles.ZERO;
    }
    return new Percentiles(us.getValueAtPercentile(50) / 1000.0, us.getValueAtPercentile(95) / 1000.0,
        us.getValueAtPercentile(99) / 1000.0, us.getMaxValue() / 1000.0);
  }

  private static JsonObject gauges(NodeReport r) {
    return r.counters().getValue("gauges") instanceof JsonObject g ? g : new JsonObject();
  }

  /**
   * One node's stats ({@code scope:"node"} and each item of {@code scope:"nodes"}): identity, freshness, its
   * cumulative counters, gauges, memory, CPU, limits, its window figures, and its histograms (base64, µs): the
   * cumulative ones it reported and the window differences the cluster figures merge.
   */
  public Optional<JsonObject> nodeJson(String nodeId, long now) {
    NodeState s = nodes.get(nodeId);
    return s == null ? Optional.empty() : Optional.of(nodeJson(s, now));
  }

  public JsonObject nodesJson(long now) {
    JsonArray arr = new JsonArray();
    sorted().forEach(s -> arr.add(nodeJson(s, now)));
    return new JsonObject().put("nodes", arr).put("window", settings.windowMs()).put("timestamp", now);
  }

  private JsonObject nodeJson(NodeState s, long now) {
    NodeReport r = s.latest;
    NodeState.Window w = s.window(settings.windowMs());
    JsonObject hist = r.counters().getValue("histograms") instanceof JsonObject h ? h.copy() : new JsonObject();
    long frames = w.delta().framesReceived();
    long ended = w.delta().executionsEnded();
    Histogram lat = w.latencyUs();
    return new JsonObject()
        .put("nodeId", s.nodeId)
        .put("memberId", r.memberId())
        .put("name", r.name())
        .put("roles", new JsonArray(new ArrayList<>(r.roles())))
        .put("version", r.version())
        .put("startedAt", r.startedAt())
        .put("uptime", Math.max(0, r.timestamp() - r.startedAt()))
        .put("stale", s.stale(now, settings.staleMs()))
        .put("stopping", r.stopping())
        .put("lastReportAt", s.lastReceivedAt)
        .put("reportTimestamp", r.timestamp())
        .put("seq", r.seq())
        .put("counters", ledger.get(s.nodeId).totals().toJson())
        .put("gauges", gauges(r).copy().put("executionsRunning",
            r.counters().getJsonObject("executions", new JsonObject()).getLong("running", 0L)))
        .put("memory", r.memory().toJson())
        .put("cpu", new JsonObject().put("process", r.cpuProcess()))
        .put("limits", new JsonObject().put("maxConnections", r.maxConnections()))
        .put("window", new JsonObject()
            .put("window", settings.windowMs())
            .put("span", w.spanMs())
            .put("framesReceived", frames)
            .put("messagesIn", w.delta().messagesIn())
            .put("messagesOut", w.delta().messagesOut())
            .put("errors", w.delta().errors())
            .put("messagesPerSecond", w.spanMs() == 0 ? 0 : w.delta().messagesIn() * 1000.0 / w.spanMs())
            .put("errorRate", frames == 0 ? 0 : Math.min(1.0, (double) w.delta().errors() / frames))
            .put("averageLatency", lat.getTotalCount() == 0 ? 0 : lat.getMean() / 1000.0)
            .put("latency", percentiles(lat).toJson())
            .put("executionsEnded", ended)
            .put("executionsFailed", w.delta().executionsFailed())
            .put("executionDuration", percentiles(w.executionUs()).toJson()))
        .put("histograms", hist)
        .put("windowHistograms", new JsonObject()
            .put("messageLatencyUs", Histograms.encode(lat))
            .put("executionDurationUs", Histograms.encode(w.executionUs())));
  }

  /** {@code scope:"health"}: fresh while some node reported within the staleness limit. */
  public JsonObject health(long now) {
    long staleMs = settings.staleMs();
    int up = (int) nodes.values().stream().filter(s -> !s.stale(now, staleMs)).count();
    JsonObject j = new JsonObject().put("nodes", nodes.size()).put("nodesUp", up).put("staleAfterMs", staleMs);
    if (lastReceivedAt < 0) {
      return j.put("fresh", false).putNull("lastReportAgeMs").put("reason", "no node report received yet");
    }
    long age = Math.max(0, now - lastReceivedAt);
    j.put("fresh", age <= staleMs).put("lastReportAgeMs", age);
    if (age > staleMs) {
      j.put("reason", "no node report for " + age + " ms");
    }
    return j;
  }
}
