package io.switchboard.stats;

import io.vertx.core.json.JsonObject;

/**
 * A validated {@code switchboard.stats.query} request. Scopes: cluster, node (nodeId), nodes, clients (type?,
 * limit 1–10000 default 100, offset ≥ 0 default 0), health. {@link #parse} throws {@link BadQuery} (→ fail(400))
 * naming what is wrong.
 */
public record StatsQuery(String scope, String nodeId, String type, int limit, int offset) {
  public static final int MAX_LIMIT = 10_000;

  public static final class BadQuery extends RuntimeException {
    public BadQuery(String message) {
      super(message);
    }
  }

  public static StatsQuery parse(Object body) {
    if (!(body instanceof JsonObject q)) {
      throw new BadQuery("a stats query must be a JSON object with a scope");
    }
    Object scopeRaw = q.getValue("scope");
    String scope = scopeRaw == null ? "cluster" : scopeRaw instanceof String s ? s : null;
    if (scope == null) {
      throw new BadQuery("scope must be a string");
    }
    switch (scope) {
      case "cluster", "nodes", "health" -> {
        return new StatsQuery(scope, null, null, 0, 0);
      }
      case "node" -> {
        if (!(q.getValue("nodeId") instanceof String id) || id.isEmpty()) {
          throw new BadQuery("scope node needs a nodeId");
        }
        return new StatsQuery(scope, id, null, 0, 0);
      }
      case "clients" -> {
        Object t = q.getValue("type");
        if (t != null && !"client".equals(t) && !"agent".equals(t)) {
          throw new BadQuery("type must be client or agent, not '" + t + "'");
        }
        int limit = intField(q, "limit", 100, 1, MAX_LIMIT);
        int offset = intField(q, "offset", 0, 0, Integer.MAX_VALUE);
        return new StatsQuery(scope, null, (String) t, limit, offset);
      }
      default -> throw new BadQuery("scope must be cluster, node, nodes, clients or health, not '" + scope + "'");
    }
  }

  private static int intField(JsonObject q, String name, int def, int min, int max) {
    Object v = q.getValue(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new BadQuery(name + " must be an integer, not '" + v + "'");
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw new BadQuery(name + " must be between " + min + " and " + max + ", not " + l);
    }
    return (int) l;
  }
}
