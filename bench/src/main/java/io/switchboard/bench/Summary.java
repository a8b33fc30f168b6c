package io.switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** The summary table printed after a run (one row per result). */
public final class Summary {
  private Summary() {}

  public static String table(List<JsonObject> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-9s %-6s %8s %7s %9s %12s %8s %8s %8s %8s %8s %7s%n", "scenario", "mode", "sessions",
        "dur(s)", "rate", "round trips/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors"));
    for (JsonObject r : results) {
      JsonObject l = r.getJsonObject("latencyMs", new JsonObject());
      sb.append(String.format("%-9s %-6s %8d %7.1f %9s %12.0f %8s %8s %8s %8s %8s %7d%n", r.getString("scenario"),
          r.getString("mode"), r.getLong("sessionsReady", 0L), (r.containsKey("held") ? r.getLong("holdMs", 0L) : r.getLong("durationMs", 0L)) / 1000.0,
          r.getInteger("rate", 0) == 0 ? "max" : r.getInteger("rate").toString(), r.getDouble("throughput", 0.0),
          f(l, "p50"), f(l, "p90"), f(l, "p99"), f(l, "p999"), f(l, "max"), r.getLong("errors", 0L)));
      if (r.containsKey("held")) {
        sb.append(String.format("  idle sessions held: %d (requested %d)", r.getLong("held"), r.getInteger("sessions")));
        if (r.containsKey("heapPerSessionBytes")) {
          sb.append(String.format(", heap/session %.0f B, RSS/session %.0f B, node fds %d -> %d",
              r.getDouble("heapPerSessionBytes"), r.getDouble("rssPerSessionBytes"),
              r.getJsonObject("nodeBefore").getInteger("fdTotal"), r.getJsonObject("nodeAfter").getInteger("fdTotal")));
        }
        sb.append('\n');
      }
      if (r.containsKey("monitorLatencyMs")) {
        JsonObject m = r.getJsonObject("monitorLatencyMs");
        sb.append(String.format("  monitor: %d/%d subscribers, %d frames delivered (%.0f/s), delivery p50 %s p99 %s max %s ms%n",
            r.getLong("subscribersReady", 0L), r.getInteger("subscribers", 0), r.getLong("monitorFrames", 0L),
            r.getDouble("monitorFramesPerSecond", 0.0), f(m, "p50"), f(m, "p99"), f(m, "max")));
        sb.append(String.format("  monitor: %.3f frames per driver message per subscriber (%d driver messages in the window), "
            + "all frames by kind %s, duplicates %d, gaps %d%n", r.getDouble("framesPerDriverMessage", 0.0),
            r.getLong("driverMessagesInWindow", 0L), r.getJsonObject("monitorFramesByKind", new JsonObject()).encode(),
            r.getLong("monitorDuplicates", 0L), r.getLong("monitorGaps", 0L)));
      }
      JsonObject cpu = r.getJsonObject("generatorCpu");
      if (cpu != null) {
        sb.append(String.format("  generator CPU over the window: %.2f cores%s%n", cpu.getDouble("cores", 0.0),
            cpu.containsKey("usPerFrame") ? String.format(", %.2f µs per monitor frame", cpu.getDouble("usPerFrame")) : ""));
      }
      JsonObject codes = r.getJsonObject("errorsByCode", new JsonObject());
      if (!codes.isEmpty()) {
        sb.append("  errors by code: ").append(codes.encode()).append('\n');
      }
    }
    return sb.toString();
  }

  private static String f(JsonObject o, String k) {
    Object v = o.getValue(k);
    return v == null ? "-" : String.format("%.3f", ((Number) v).doubleValue());
  }
}
