package io.switchboard.launcher.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code health [--cluster]}: the node's readiness ({@code /health/ready}) or the cluster's ({@code /health/cluster}). */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = {"Is the node ready (GET /health/ready), or the cluster (GET /health/cluster)?",
        "Exit 0 when ready (cluster: UP or DEGRADED), 1 when not."})
public final class HealthCommand implements Callable<Integer> {
  @Mixin
  NodeOptions node;

  @Option(names = "--cluster", description = "Every member's probes and roles, and the cluster's status.")
  boolean cluster;

  @Override
  public Integer call() {
    NodeClient.Answer a = node.client().get(cluster ? "/health/cluster" : "/health/ready");
    if (a.status() != 200 && a.status() != 503) {
      a.ok();
    }
    JsonObject j = a.json();
    if (node.json()) {
      System.out.println(j.encodePrettily());
    } else {
      System.out.print(cluster ? clusterTable(j) : readyTable(j));
    }
    return a.status() == 200 ? Exit.OK : Exit.UNHEALTHY;
  }

  static String readyTable(JsonObject j) {
    StringBuilder sb = new StringBuilder("node " + j.getString("nodeId", "?") + ": " + j.getString("status", "?") + "\n");
    if (j.getString("error") != null) {
      sb.append(j.getString("error")).append('\n');
    }
    Table t = new Table("CHECK", "STATUS", "CRITICAL", "REASON");
    JsonArray checks = j.getJsonArray("checks", new JsonArray());
    for (int i = 0; i < checks.size(); i++) {
      JsonObject c = checks.getJsonObject(i);
      JsonObject data = c.getJsonObject("data", new JsonObject());
      t.row(c.getString("id"), c.getString("status"), c.getValue("critical"), data.getString("reason", ""));
    }
    return sb.append(t.render()).toString();
  }

  static String clusterTable(JsonObject j) {
    StringBuilder sb = new StringBuilder("cluster " + j.getString("status", "?") + ": " + j.getValue("members")
        + " members, " + j.getValue("membersReady") + " ready, " + j.getValue("membersUnreachable") + " unreachable");
    JsonArray without = j.getJsonArray("rolesWithoutReadyMember", new JsonArray());
    if (!without.isEmpty()) {
      sb.append("; no ready member for ").append(String.join(", ", without.stream().map(String::valueOf).toList()));
    }
    sb.append('\n');
    Table t = new Table("NAME", "ROLES", "STATUS", "READY", "TOOK_MS", "NODE_ID", "ERROR");
    JsonArray nodes = j.getJsonArray("nodes", new JsonArray());
    for (int i = 0; i < nodes.size(); i++) {
      JsonObject n = nodes.getJsonObject(i);
      JsonArray roles = n.getJsonArray("roles", new JsonArray());
      t.row(n.getString("name"), String.join(",", roles.stream().map(String::valueOf).toList()), n.getString("status"),
          n.getValue("ready"), n.getValue("tookMs"), n.getString("nodeId"), n.getString("error", ""));
    }
    return sb.append(t.render()).toString();
  }
}
