package io.switchboard.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges the per-node client lists ({@code Addresses.nodeClients(nodeId)} replies) into one cluster-wide page:
 * sorted by {@code connected_at} (then client_id), {@code offset}/{@code limit} applied, {@code total} the sum
 * of the nodes' totals. Each node is asked for its first {@code offset + limit} sessions, so the page is exact
 * as long as every hub node answers; nodes that did not answer in time are listed in {@code missingNodes}
 * (and {@code partial} is true).
 */
public final class ClientPages {
  private ClientPages() {}

  /** One node's answer, or its failure. */
  public record NodeAnswer(String nodeId, JsonObject reply, String error) {}

  public static JsonObject merge(List<NodeAnswer> answers, String type, int limit, int offset) {
    List<JsonObject> all = new ArrayList<>();
    long total = 0;
    JsonArray missing = new JsonArray();
    for (NodeAnswer a : answers) {
      if (a.reply() == null) {
        missing.add(new JsonObject().put("nodeId", a.nodeId()).put("error", a.error()));
        continue;
      }
      JsonArray clients = a.reply().getValue("clients") instanceof JsonArray arr ? arr : new JsonArray();
      for (Object o : clients) {
        if (o instanceof JsonObject c && (type == null || type.equals(c.getString("type")))) {
          all.add(c);
        }
      }
      Object t = a.reply().getValue("total");
      total += t instanceof Number n ? n.longValue() : clients.size();
    }
    all.sort(Comparator.comparingLong((JsonObject c) -> c.getValue("connected_at") instanceof Number n ? n.longValue() : 0L)
        .thenComparing(c -> String.valueOf(c.getValue("client_id"))));
    JsonArray page = new JsonArray();
    for (int i = offset; i < all.size() && i < (long) offset + limit; i++) {
      page.add(all.get(i));
    }
    JsonObject out = new JsonObject().put("clients", page).put("total", Math.max(total, all.size()))
        .put("limit", limit).put("offset", offset);
    if (type != null) {
      out.put("type", type);
    }
    if (!missing.isEmpty()) {
      out.put("partial", true).put("missingNodes", missing);
    }
    return out;
  }
}
