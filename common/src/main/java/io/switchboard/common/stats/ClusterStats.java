package io.switchboard.common.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The cluster view the stats service publishes on {@code switchboard.stats.cluster} every interval and answers
 * to {@code {scope:"cluster"}} (and so {@code GET /stats}). Field meanings, units and windows: docs/stats.md.
 * Totals are cumulative over every node id the cluster ever had; {@code messagesPerSecond}, {@code errorRate},
 * {@code averageLatency}, {@code latency}, {@code *InWindow}, {@code executionFailureRate} and
 * {@code executionDuration} cover the last {@code window} ms; gauges cover live (not stale) nodes only.
 */
public record ClusterStats(
    long totalConnections,
    long activeConnections,
    long totalMessages,
    long messagesOut,
    double messagesPerSecond,
    double averageLatency,
    Percentiles latency,
    double errorRate,
    long errors,
    long errorsInWindow,
    long framesInWindow,
    long messagesInWindow,
    long uptime,
    MemoryUsage memoryUsage,
    ToolExecutions toolExecutions,
    ExecutionsInWindow executionsInWindow,
    double executionFailureRate,
    Percentiles executionDuration,
    long agentsConnected,
    long clientsConnected,
    long monitorsConnected,
    long connectionsRefused,
    int nodes,
    int nodesUp,
    int nodesDown,
    List<DownNode> downNodes,
    Health health,
    long window,
    long timestamp,
    List<PerNode> perNode) {

  /** Milliseconds. */
  public record Percentiles(double p50, double p95, double p99, double max) {
    public static final Percentiles ZERO = new Percentiles(0, 0, 0, 0);

    public JsonObject toJson() {
      return new JsonObject().put("p50", p50).put("p95", p95).put("p99", p99).put("max", max);
    }

    public static Percentiles fromJson(JsonObject j) {
      if (j == null) {
        return ZERO;
      }
      return new Percentiles(d(j, "p50"), d(j, "p95"), d(j, "p99"), d(j, "max"));
    }
  }

  /** Bytes, summed over live nodes. */
  public record MemoryUsage(long rss, long heapUsed, long heapTotal) {
    public JsonObject toJson() {
      return new JsonObject().put("rss", rss).put("heapUsed", heapUsed).put("heapTotal", heapTotal);
    }

    public static MemoryUsage fromJson(JsonObject j) {
      return j == null ? new MemoryUsage(0, 0, 0) : new MemoryUsage(l(j, "rss"), l(j, "heapUsed"), l(j, "heapTotal"));
    }
  }

  /** Cumulative (total = started, successful = completed), except running: live nodes now. */
  public record ToolExecutions(long total, long successful, long failed, long cancelled, long running) {
    public JsonObject toJson() {
      return new JsonObject().put("total", total).put("successful", successful).put("failed", failed)
          .put("cancelled", cancelled).put("running", running);
    }

    public static ToolExecutions fromJson(JsonObject j) {
      return j == null ? new ToolExecutions(0, 0, 0, 0, 0)
          : new ToolExecutions(l(j, "total"), l(j, "successful"), l(j, "failed"), l(j, "cancelled"), l(j, "running"));
    }
  }

  public record ExecutionsInWindow(long ended, long failed) {
    public JsonObject toJson() {
      return new JsonObject().put("ended", ended).put("failed", failed);
    }

    public static ExecutionsInWindow fromJson(JsonObject j) {
      return j == null ? new ExecutionsInWindow(0, 0) : new ExecutionsInWindow(l(j, "ended"), l(j, "failed"));
    }
  }

  /**
   * The cluster health view's counts (docs/operations.md, "Cluster health"), from the last view the stats publisher
   * took on {@code switchboard.health.cluster}; all zero while no view younger than the staleness limit is known.
   *
   * @param members cluster members in the view
   * @param membersNotReady members whose ready probe failed or that did not answer
   * @param membersUnreachable members that did not answer within 1 s
   */
  public record Health(int members, int membersNotReady, int membersUnreachable) {
    public static final Health NONE = new Health(0, 0, 0);

    public JsonObject toJson() {
      return new JsonObject().put("members", members).put("membersNotReady", membersNotReady)
          .put("membersUnreachable", membersUnreachable);
    }

    public static Health fromJson(JsonObject j) {
      return j == null ? NONE
          : new Health((int) l(j, "members"), (int) l(j, "membersNotReady"), (int) l(j, "membersUnreachable"));
    }
  }

  /** reason: "stale" (silent for stats.staleAfterIntervals intervals) or "left" (left the cluster without a graceful stop). */
  public record DownNode(String nodeId, String name, long since, String reason) {
    public JsonObject toJson() {
      return new JsonObject().put("nodeId", nodeId).put("name", name).put("since", since).put("reason", reason);
    }

    public static DownNode fromJson(JsonObject j) {
      return new DownNode(j.getString("nodeId"), j.getString("name"), l(j, "since"), j.getString("reason"));
    }
  }

  public record PerNode(String nodeId, String name, List<String> roles, boolean stale, long activeConnections,
      long maxConnections, long agents, long clients, long heapUsed, long heapMax, double heapRatio, long lastReportAt) {
    public JsonObject toJson() {
      return new JsonObject().put("nodeId", nodeId).put("name", name).put("roles", new JsonArray(new ArrayList<>(roles)))
          .put("stale", stale).put("activeConnections", activeConnections).put("maxConnections", maxConnections)
          .put("agents", agents).put("clients", clients).put("heapUsed", heapUsed).put("heapMax", heapMax)
          .put("heapRatio", heapRatio).put("lastReportAt", lastReportAt);
    }

    @SuppressWarnings("unchecked")
    public static PerNode fromJson(JsonObject j) {
      List<String> roles = new ArrayList<>();
      JsonArray r = j.getJsonArray("roles", new JsonArray());
      r.forEach(o -> roles.add(String.valueOf(o)));
      return new PerNode(j.getString("nodeId"), j.getString("name"), roles, j.getBoolean("stale", false),
          l(j, "activeConnections"), l(j, "maxConnections"), l(j, "agents"), l(j, "clients"), l(j, "heapUsed"),
          l(j, "heapMax"), d(j, "heapRatio"), l(j, "lastReportAt"));
    }
  }

  /** A builder: every field starts at zero (empty lists, zero percentiles), so a producer sets what it knows by name. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ClusterStats} field by field; see the record's components for meanings. */
  public static final class Builder {
    private long totalConnections = 0;
    private long activeConnections = 0;
    private long totalMessages = 0;
    private long messagesOut = 0;
    private double messagesPerSecond = 0;
    private double averageLatency = 0;
    private Percentiles latency = Percentiles.ZERO;
    private double errorRate = 0;
    private long errors = 0;
    private long errorsInWindow = 0;
    private long framesInWindow = 0;
    private long messagesInWindow = 0;
    private long uptime = 0;
    private MemoryUsage memoryUsage = new MemoryUsage(0, 0, 0);
    private ToolExecutions toolExecutions = new ToolExecutions(0, 0, 0, 0, 0);
    private ExecutionsInWindow executionsInWindow = new ExecutionsInWindow(0, 0);
    private double executionFailureRate = 0;
    private Percentiles executionDuration = Percentiles.ZERO;
    private long agentsConnected = 0;
    private long clientsConnected = 0;
    private long monitorsConnected = 0;
    private long connectionsRefused = 0;
    private int nodes = 0;
    private int nodesUp = 0;
    private int nodesDown = 0;
    private List<DownNode> downNodes = List.of();
    private Health health = Health.NONE;
    private long window = 0;
    private long timestamp = 0;
    private List<PerNode> perNode = List.of();

    private Builder() {}

    public Builder totalConnections(long v) {
      this.totalConnections = v;
      return this;
    }

    public Builder activeConnections(long v) {
      this.activeConnections = v;
      return this;
    }

    public Builder totalMessages(long v) {
      this.totalMessages = v;
      return this;
    }

    public Builder messagesOut(long v) {
      this.messagesOut = v;
      return this;
    }

    public Builder messagesPerSecond(double v) {
      this.messagesPerSecond = v;
      return this;
    }

    public Builder averageLatency(double v) {
      this.averageLatency = v;
      return this;
    }

    public Builder latency(Percentiles v) {
      this.latency = v;
      return this;
    }

    public Builder errorRate(double v) {
      this.errorRate = v;
      return this;
    }

    public Builder errors(long v) {
      this.errors = v;
      return this;
    }

    public Builder errorsInWindow(long v) {
      this.errorsInWindow = v;
      return this;
    }

    public Builder framesInWindow(long v) {
      this.framesInWindow = v;
      return this;
    }

    public Builder messagesInWindow(long v) {
      this.messagesInWindow = v;
      return this;
    }

    public Builder uptime(long v) {
      this.uptime = v;
      return this;
    }

    public Builder memoryUsage(MemoryUsage v) {
      this.memoryUsage = v;
      return this;
    }

    public Builder toolExecutions(ToolExecutions v) {
      this.toolExecutions = v;
      return this;
    }

    public Builder executionsInWindow(ExecutionsInWindow v) {
      this.executionsInWindow = v;
      return this;
    }

    public Builder executionFailureRate(double v) {
      this.executionFailureRate = v;
      return this;
    }

    public Builder executionDuration(Percentiles v) {
      this.executionDuration = v;
      return this;
    }

    public Builder agentsConnected(long v) {
      this.agentsConnected = v;
      return this;
    }

    public Builder clientsConnected(long v) {
      this.clientsConnected = v;
      return this;
    }

    public Builder monitorsConnected(long v) {
      this.monitorsConnected = v;
      return this;
    }

    public Builder connectionsRefused(long v) {
      this.connectionsRefused = v;
      return this;
    }

    public Builder nodes(int v) {
      this.nodes = v;
      return this;
    }

    public Builder nodesUp(int v) {
      this.nodesUp = v;
      return this;
    }

    public Builder nodesDown(int v) {
      this.nodesDown = v;
      return this;
    }

    public Builder downNodes(List<DownNode> v) {
      this.downNodes = v;
      return this;
    }

    public Builder health(Health v) {
      this.health = v;
      return this;
    }

    public Builder window(long v) {
      this.window = v;
      return this;
    }

    public Builder timestamp(long v) {
      this.timestamp = v;
      return this;
    }

    public Builder perNode(List<PerNode> v) {
      this.perNode = v;
      return this;
    }

    public ClusterStats build() {
      return new ClusterStats(totalConnections, activeConnections, totalMessages, messagesOut, messagesPerSecond, averageLatency, latency, errorRate, errors, errorsInWindow, framesInWindow, messagesInWindow, uptime, memoryUsage, toolExecutions, executionsInWindow, executionFailureRate, executionDuration, agentsConnected, clientsConnected, monitorsConnected, connectionsRefused, nodes, nodesUp, nodesDown, downNodes, health, window, timestamp, perNode);
    }
  }

  public JsonObject toJson() {
    JsonArray down = new JsonArray();
    downNodes.forEach(d -> down.add(d.toJson()));
    JsonArray per = new JsonArray();
    perNode.forEach(p -> per.add(p.toJson()));
    return new JsonObject()
        .put("totalConnections", totalConnections)
        .put("activeConnections", activeConnections)
        .put("totalMessages", totalMessages)
        .put("messagesOut", messagesOut)
        .put("messagesPerSecond", messagesPerSecond)
        .put("averageLatency", averageLatency)
        .put("latency", latency.toJson())
        .put("errorRate", errorRate)
        .put("errors", errors)
        .put("errorsInWindow", errorsInWindow)
        .put("framesInWindow", framesInWindow)
        .put("messagesInWindow", messagesInWindow)
        .put("uptime", uptime)
        .put("memoryUsage", memoryUsage.toJson())
        .put("toolExecutions", toolExecutions.toJson())
        .put("executionsInWindow", executionsInWindow.toJson())
        .put("executionFailureRate", executionFailureRate)
        .put("executionDuration", executionDuration.toJson())
        .put("agentsConnected", agentsConnected)
        .put("clientsConnected", clientsConnected)
        .put("monitorsConnected", monitorsConnected)
        .put("connectionsRefused", connectionsRefused)
        .put("nodes", nodes)
        .put("nodesUp", nodesUp)
        .put("nodesDown", nodesDown)
        .put("downNodes", down)
        .put("health", health.toJson())
        .put("window", window)
        .put("timestamp", timestamp)
        .put("perNode", per);
  }

  public static ClusterStats fromJson(JsonObject j) {
    List<DownNode> down = new ArrayList<>();
    j.getJsonArray("downNodes", new JsonArray()).forEach(o -> down.add(DownNode.fromJson((JsonObject) o)));
    List<PerNode> per = new ArrayList<>();
    j.getJsonArray("perNode", new JsonArray()).forEach(o -> per.add(PerNode.fromJson((JsonObject) o)));
    return builder()
        .totalConnections(l(j, "totalConnections"))
        .activeConnections(l(j, "activeConnections"))
        .totalMessages(l(j, "totalMessages"))
        .messagesOut(l(j, "messagesOut"))
        .messagesPerSecond(d(j, "messagesPerSecond"))
        .averageLatency(d(j, "averageLatency"))
        .latency(Percentiles.fromJson(j.getJsonObject("latency")))
        .errorRate(d(j, "errorRate"))
        .errors(l(j, "errors"))
        .errorsInWindow(l(j, "errorsInWindow"))
        .framesInWindow(l(j, "framesInWindow"))
        .messagesInWindow(l(j, "messagesInWindow"))
        .uptime(l(j, "uptime"))
        .memoryUsage(MemoryUsage.fromJson(j.getJsonObject("memoryUsage")))
        .toolExecutions(ToolExecutions.fromJson(j.getJsonObject("toolExecutions")))
        .executionsInWindow(ExecutionsInWindow.fromJson(j.getJsonObject("executionsInWindow")))
        .executionFailureRate(d(j, "executionFailureRate"))
        .executionDuration(Percentiles.fromJson(j.getJsonObject("executionDuration")))
        .agentsConnected(l(j, "agentsConnected"))
        .clientsConnected(l(j, "clientsConnected"))
        .monitorsConnected(l(j, "monitorsConnected"))
        .connectionsRefused(l(j, "connectionsRefused"))
        .nodes((int) l(j, "nodes"))
        .nodesUp((int) l(j, "nodesUp"))
        .nodesDown((int) l(j, "nodesDown"))
        .downNodes(down)
        .health(Health.fromJson(j.getJsonObject("health")))
        .window(l(j, "window"))
        .timestamp(l(j, "timestamp"))
        .perNode(per)
        .build();
  }

  /** Record types whose numeric components are published as {@code name.component} (never lists or strings). */
  private static final Set<Class<?>> NESTED = Set.of(Percentiles.class, MemoryUsage.class, ToolExecutions.class,
      ExecutionsInWindow.class, Health.class);

  /**
   * Every numeric field of the published JSON, as its path ({@code errorRate}, {@code latency.p99}), in declaration
   * order. Derived from the record itself, so the alert rules can read every field {@code /stats} publishes and no
   * second list can drift from it.
   */
  public static List<String> numericPaths() {
    return numericPaths(ClusterStats.class);
  }

  /** The numeric fields of one {@code perNode} entry ({@code activeConnections}, {@code heapRatio}, ...). */
  public static List<String> perNodeNumericPaths() {
    return numericPaths(PerNode.class);
  }

  private static List<String> numericPaths(Class<?> type) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      Class<?> t = c.getType();
      if (t == long.class || t == int.class || t == double.class) {
        out.add(c.getName());
      } else if (NESTED.contains(t)) {
        for (String sub : numericPaths(t)) {
          out.add(c.getName() + "." + sub);
        }
      }
    }
    return out;
  }

  private static long l(JsonObject j, String k) {
    Number n = j.getNumber(k);
    return n == null ? 0 : n.longValue();
  }

  private static double d(JsonObject j, String k) {
    Number n = j.getNumber(k);
    return n == null ? 0 : n.doubleValue();
  }
}
