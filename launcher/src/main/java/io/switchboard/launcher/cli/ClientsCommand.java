package io.switchboard.launcher.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code clients [--type agent|client] [--limit N] [--token T]}: the HAIP sessions of the cluster, oldest first (GET
 * /api/clients, part of the admin surface: a protected node needs an admin token or JWT).
 */
@Command(name = "clients", mixinStandardHelpOptions = true,
    description = "The cluster's HAIP sessions, oldest first (GET /api/clients).")
public final class ClientsCommand implements Callable<Integer> {
  /** The session types /api/clients filters on. */
  public enum Type {
    agent,
    client
  }

  @Mixin
  NodeOptions node;

  @Mixin
  TokenOption token;

  @Option(names = "--type", paramLabel = "TYPE", description = "agent or client (default: both).")
  Type type;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N sessions, 1-10000 (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    if (limit < 1 || limit > 10_000) {
      throw new CliException(Exit.USAGE, "--limit must be between 1 and 10000, not " + limit);
    }
    String q = "/api/clients?limit=" + limit + (type != null ? "&type=" + type : "");
    JsonObject j = node.client(token.token).get(q).ok().json();
    if (node.json()) {
      System.out.println(j.encodePrettily());
      return Exit.OK;
    }
    System.out.print(table(j));
    return Exit.OK;
  }

  static String table(JsonObject j) {
    Table t = new Table("CLIENT_ID", "TYPE", "PLATFORM", "NODE", "CONNECTED_AT", "UPTIME_S");
    JsonArray clients = j.getJsonArray("clients", new JsonArray());
    for (int i = 0; i < clients.size(); i++) {
      JsonObject c = clients.getJsonObject(i);
      t.row(c.getValue("client_id"), c.getValue("type"), c.getValue("platform"), c.getValue("node"),
          Times.iso(c.getValue("connected_at")), c.getValue("uptime_seconds"));
    }
    StringBuilder sb = new StringBuilder(t.render());
    sb.append(clients.size()).append(" of ").append(j.getValue("total")).append(" sessions");
    if (Boolean.TRUE.equals(j.getValue("partial"))) {
      sb.append(" (partial: some hub nodes did not answer in time, see -o json missingNodes)");
    }
    return sb.append('\n').toString();
  }
}
