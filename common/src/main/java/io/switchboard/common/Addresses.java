package io.switchboard.common;

/** Event-bus addresses: the one place they are declared (docs/architecture.md, "Event-bus contract"). */
public final class Addresses {
  private Addresses() {}

  /** Publish, every {@code stats.interval}: every node to stats. Body: NodeReport JSON. */
  public static final String NODE_REPORT = "switchboard.node.report";
  /** Publish, every interval: stats to anyone. Body: ClusterStats JSON. */
  public static final String STATS_CLUSTER = "switchboard.stats.cluster";
  /** Request/reply (2 s): {scope:"cluster"|"node"|"nodes"|"clients", nodeId?}. */
  public static final String STATS_QUERY = "switchboard.stats.query";
  /** Publish: alert to anyone. Body: AlertEvent JSON. */
  public static final String ALERTS = "switchboard.alerts";
  /** Request/reply (2 s): {what:"active"|"history"|"rules"|"silences"|"reload"} and silence commands. */
  public static final String ALERTS_QUERY = "switchboard.alerts.query";
  /**
   * Publish: a replica that validated a reload of the alert rules to every alert replica, which re-reads its own
   * configuration and applies it (docs/alerts.md, "Changing rules at runtime"). Body: {origin: nodeId}.
   */
  public static final String ALERTS_RELOAD = "switchboard.alerts.reload";
  /**
   * Publish, every {@code stats.interval}: the stats publisher to anyone. Body: the cluster health view of
   * {@code GET /health/cluster} (docs/operations.md, "Cluster health").
   */
  public static final String HEALTH_CLUSTER = "switchboard.health.cluster";
  /** Publish: hub to anyone. Body: HubEvent JSON. */
  public static final String HUB_EVENTS = "switchboard.hub.events";

  /** Prefix of the per-tool addresses; send round-robin over providers. */
  public static final String TOOL_PREFIX = "switchboard.tool.";

  public static String tool(String name) {
    return TOOL_PREFIX + name;
  }

  /** The one transaction address of a node: frames and status of every transaction it takes part in. */
  public static String nodeTx(String nodeId) {
    return "switchboard.node." + nodeId + ".tx";
  }

  /**
   * Request/reply to one hub node: its own sessions. Request {@code {type?:"client"|"agent", limit}}; reply
   * {@code {clients:[{client_id, type, platform, node, connected_at, uptime_seconds}], total}}.
   */
  public static String nodeClients(String nodeId) {
    return "switchboard.node." + nodeId + ".clients";
  }

  /** Request/reply to one node (clustered consumer): its identity, uptime and view of the cluster. */
  public static String nodeInfo(String nodeId) {
    return "switchboard.node." + nodeId + ".info";
  }

  /** A node's own local echo round trip, used by the health check. */
  public static String nodeHealth(String nodeId) {
    return "switchboard.node." + nodeId + ".health";
  }

  /**
   * Request/reply (1 s, {@link #HEALTH_REPORT_TIMEOUT_MS}) to one node, clustered: any node → that node. Request
   * {@code {}}; reply {@code {nodeId, memberId, name, roles, live, ready, startup}}, each probe
   * {@code {status, checks:[{id, status, critical, data}]}}.
   */
  public static String nodeHealthReport(String nodeId) {
    return "switchboard.node." + nodeId + ".healthReport";
  }

  /** How long a node waits for another node's health report before listing it as unreachable (1 s). */
  public static final long HEALTH_REPORT_TIMEOUT_MS = 1_000;

  /** Default timeout for every request/reply query (2 s). */
  public static final long QUERY_TIMEOUT_MS = 2_000;
}
