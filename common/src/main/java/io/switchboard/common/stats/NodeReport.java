package io.switchboard.common.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What every node publishes on {@code switchboard.node.report} every {@code stats.interval} (docs/stats.md):
 *
 * <pre>
 * {nodeId, memberId, name, roles:[...], version, startedAt, timestamp, seq, stopping,
 *  counters: NodeCounters.snapshot(),
 *  memory:{rss, heapUsed, heapTotal, heapMax}, cpu:{process}, limits:{maxConnections}}
 * </pre>
 *
 * {@code nodeId} is unique per process start; {@code memberId} is the Vert.x / Hazelcast node id of the same
 * process (what membership events name); {@code seq} grows by one per report of that node id;
 * {@code counters} are cumulative since the process started (histograms base64, microseconds), so a lost report
 * costs freshness, never exactness. Memory in bytes (rss -1 where unknown), CPU as a fraction 0–1 of the
 * machine, timestamps in epoch ms.
 */
public record NodeReport(
    String nodeId,
    String memberId,
    String name,
    List<String> roles,
    String version,
    long startedAt,
    long timestamp,
    long seq,
    boolean stopping,
    JsonObject counters,
    Memory memory,
    double cpuProcess,
    long maxConnections) {

  /** Memory in bytes: resident set (-1 if unknown), heap used, heap committed, heap max. */
  public record Memory(long rss, long heapUsed, long heapTotal, long heapMax) {
    public JsonObject toJson() {
      return new JsonObject().put("rss", rss).put("heapUsed", heapUsed).put("heapTotal", heapTotal).put("heapMax", heapMax);
    }

    static Memory fromJson(JsonObject j) {
      if (j == null) {
        return new Memory(-1, 0, 0, 0);
      }
      return new Memory(num(j, "rss", -1), num(j, "heapUsed", 0), num(j, "heapTotal", 0), num(j, "heapMax", 0));
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("nodeId", nodeId)
        .put("memberId", memberId)
        .put("name", name)
        .put("roles", new JsonArray(new ArrayList<>(roles)))
        .put("version", version)
        .put("startedAt", startedAt)
        .put("timestamp", timestamp)
        .put("seq", seq)
        .put("stopping", stopping)
        .put("counters", counters)
        .put("memory", memory.toJson())
        .put("cpu", new JsonObject().put("process", cpuProcess))
        .put("limits", new JsonObject().put("maxConnections", maxConnections));
  }

  /**
   * Parses and validates a report.
   *
   * @throws IllegalArgumentException naming the first bad field
   */
  public static NodeReport fromJson(JsonObject j) {
    if (j == null) {
      throw new IllegalArgumentException("report must be a JSON object");
    }
    String nodeId = str(j, "nodeId", true);
    String name = str(j, "name", true);
    String memberId = str(j, "memberId", false);
    Object rolesRaw = j.getValue("roles");
    List<String> roles = new ArrayList<>();
    if (rolesRaw != null) {
      if (!(rolesRaw instanceof JsonArray arr)) {
        throw new IllegalArgumentException("roles must be an array");
      }
      for (Object o : arr) {
        roles.add(String.valueOf(o));
      }
    }
    long seq = num(j, "seq", -1);
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be a non-negative number");
    }
    long timestamp = num(j, "timestamp", -1);
    if (timestamp <= 0) {
      throw new IllegalArgumentException("timestamp must be epoch milliseconds");
    }
    Object c = j.getValue("counters");
    if (!(c instanceof JsonObject counters)) {
      throw new IllegalArgumentException("counters must be an object");
    }
    Object stop = j.getValue("stopping");
    if (stop != null && !(stop instanceof Boolean)) {
      throw new IllegalArgumentException("stopping must be a boolean");
    }
    return new NodeReport(nodeId, memberId == null ? nodeId : memberId, name, List.copyOf(roles),
        j.getValue("version") instanceof String v ? v : "unknown",
        num(j, "startedAt", timestamp), timestamp, seq, Boolean.TRUE.equals(stop), counters,
        Memory.fromJson(obj(j, "memory")),
        dbl(obj(j, "cpu"), "process"),
        num(obj(j, "limits"), "maxConnections", 0));
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  private static JsonObject obj(JsonObject j, String key) {
    Object v = j.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw new IllegalArgumentException(key + " must be an object");
    }
    return o;
  }

  private static String str(JsonObject j, String key, boolean required) {
    Object v = j.getValue(key);
    if (v == null || (v instanceof String s && s.isEmpty())) {
      if (required) {
        throw new IllegalArgumentException(key + " is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(key + " must be a string");
    }
    return s;
  }

  static long num(JsonObject j, String key, long def) {
    if (j == null) {
      return def;
    }
    Object v = j.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(key + " must be a number");
    }
    return n.longValue();
  }

  private static double dbl(JsonObject j, String key) {
    if (j == null) {
      return 0;
    }
    Object v = j.getValue(key);
    if (v == null) {
      return 0;
    }
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(key + " must be a number");
    }
    return n.doubleValue();
  }
}
