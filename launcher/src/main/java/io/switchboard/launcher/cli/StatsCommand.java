package io.switchboard.launcher.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stats [--node ID] [--watch [--interval 2s]]}: the cluster stats, or one node's (docs/stats.md). */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Cluster stats (GET /stats) and the nodes in the view, or one node's (--node).",
        "Exit 1 when the node is not in the cluster view."})
public final class StatsCommand implements Callable<Integer> {
  @Mixin
  NodeOptions node;

  @Option(names = "--node", paramLabel = "ID", description = "One node, by node id or name (GET /stats?scope=node).")
  String nodeId;

  @Mixin
  WatchOptions watching;

  @Override
  public Integer call() {
    NodeClient client = node.client();
    Watch.run(watching.watch, watching.interval, !node.json(), System.out, () -> draw(client));
    return Exit.OK;
  }

  private void draw(NodeClient client) {
    JsonObject j = nodeId == null ? client.get("/stats").ok().json() : oneNode(client);
    if (node.json()) {
      System.out.println(watching.watch ? j.encode() : j.encodePrettily());
    } else {
      System.out.print(nodeId == null ? clusterTable(j) : nodeTable(j));
    }
  }

  /** The node of that id, or of that name; exit 1 when the view has neither. */
  private JsonObject oneNode(NodeClient client) {
    NodeClient.Answer a = client.get("/stats?scope=node&nodeId=" + URLEncoder.encode(nodeId, StandardCharsets.UTF_8));
    if (a.status() != 404) {
      return a.ok().json();
    }
    JsonArray nodes = client.get("/stats/nodes").ok().json().getJsonArray("nodes", new JsonArray());
    for (int i = 0; i < nodes.size(); i++) {
      JsonObject n = nodes.getJsonObject(i);
      if (nodeId.equals(n.getString("name"))) {
        return n;
      }
    }
    throw new CliException(Exit.UNHEALTHY, "no node '" + nodeId + "' in the cluster view of " + client.url()
        + ": `switchboard stats` lists the nodes by name and id");
  }

  static String clusterTable(JsonObject s) {
    JsonObject lat = s.getJsonObject("latency", new JsonObject());
    JsonObject ex = s.getJsonObject("toolExecutions", new JsonObject());
    Table t = new Table("STAT", "VALUE");
    t.row("nodes (up/down)", s.getValue("nodesUp") + "/" + s.getValue("nodesDown"));
    t.row("connections active/total", s.getValue("activeConnections") + "/" + s.getValue("totalConnections"));
    t.row("agents/clients/monitors", s.getValue("agentsConnected") + "/" + s.getValue("clientsConnected") + "/"
        + s.getValue("monitorsConnected"));
    t.row("messages/s", num(s.getValue("messagesPerSecond")));
    t.row("latency p50/p95/p99 ms", num(lat.getValue("p50")) + "/" + num(lat.getValue("p95")) + "/" + num(lat.getValue("p99")));
    t.row("error rate", num(s.getValue("errorRate")));
    t.row("executions total/failed/running", ex.getValue("total") + "/" + ex.getValue("failed") + "/" + ex.getValue("running"));
    t.row("window ms", s.getValue("window"));
    StringBuilder sb = new StringBuilder(t.render());
    JsonArray per = s.getJsonArray("perNode", new JsonArray());
    if (!per.isEmpty()) {
      Table n = new Table("NODE", "ROLES", "STALE", "CONNECTIONS", "AGENTS", "CLIENTS", "HEAP", "NODE_ID");
      for (int i = 0; i < per.size(); i++) {
        JsonObject p = per.getJsonObject(i);
        n.row(p.getString("name"), String.join(",", p.getJsonArray("roles", new JsonArray()).stream().map(String::valueOf).toList()),
            p.getValue("stale"), p.getValue("activeConnections") + "/" + p.getValue("maxConnections"), p.getValue("agents"),
            p.getValue("clients"), num(p.getValue("heapRatio")), p.getString("nodeId"));
      }
      sb.append('\n').append(n.render());
    }
    JsonArray down = s.getJsonArray("downNodes", new JsonArray());
    if (!down.isEmpty()) {
      Table d = new Table("DOWN", "REASON", "SINCE", "NODE_ID");
      for (int i = 0; i < down.size(); i++) {
        JsonObject p = down.getJsonObject(i);
        d.row(p.getString("name"), p.getString("reason"), p.getValue("since"), p.getString("nodeId"));
      }
      sb.append('\n').append(d.render());
    }
    return sb.toString();
  }

  static String nodeTable(JsonObject n) {
    JsonObject c = n.getJsonObject("counters", new JsonObject());
    JsonObject g = n.getJsonObject("gauges", new JsonObject());
    JsonObject w = n.getJsonObject("window", new JsonObject());
    JsonObject lat = w.getJsonObject("latency", new JsonObject());
    JsonObject mem = n.getJsonObject("memory", new JsonObject());
    Table t = new Table("STAT", "VALUE");
    t.row("name", n.getString("name"));
    t.row("node id", n.getString("nodeId"));
    t.row("roles", String.join(",", n.getJsonArray("roles", new JsonArray()).stream().map(String::valueOf).toList()));
    t.row("version", n.getString("version"));
    t.row("stale/stopping", n.getValue("stale") + "/" + n.getValue("stopping"));
    t.row("connections active", g.getValue("activeConnections"));
    t.row("agents/clients/monitors", g.getValue("agents") + "/" + g.getValue("clients") + "/" + g.getValue("monitors"));
    t.row("messages in/out", c.getValue("messagesIn") + "/" + c.getValue("messagesOut"));
    t.row("errors", c.getValue("errors"));
    t.row("messages/s", num(w.getValue("messagesPerSecond")));
    t.row("latency p50/p95/p99 ms", num(lat.getValue("p50")) + "/" + num(lat.getValue("p95")) + "/" + num(lat.getValue("p99")));
    t.row("heap used/max", mem.getValue("heapUsed") + "/" + mem.getValue("heapMax"));
    return t.render();
  }

  static String num(Object v) {
    return v instanceof Number n ? Table.number(n.doubleValue()) : Table.cell(v);
  }
}
