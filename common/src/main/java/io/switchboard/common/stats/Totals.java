package io.switchboard.common.stats;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cumulative counters of one node id (or a sum of several): the part of {@code NodeCounters.snapshot()}
 * that only ever grows. Totals of the cluster are sums of these; windowed figures are differences of two.
 */
public record Totals(
    long connections,
    long connectionsRefused,
    long framesReceived,
    long messagesIn,
    long messagesOut,
    long errors,
    long executionsStarted,
    long executionsCompleted,
    long executionsFailed,
    long executionsCancelled,
    Map<String, Long> errorsByCode) {

  public static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of());

  public Totals {
    errorsByCode = Map.copyOf(errorsByCode);
  }

  /** From a {@code NodeCounters.snapshot()} (or a ledger entry's counters); absent fields count as 0. */
  public static Totals fromCounters(JsonObject c) {
    if (c == null) {
      return ZERO;
    }
    JsonObject ex = c.getValue("executions") instanceof JsonObject o ? o : new JsonObject();
    Map<String, Long> byCode = new TreeMap<>();
    if (c.getValue("errorsByCode") instanceof JsonObject codes) {
      for (String k : codes.fieldNames()) {
        long v = NodeReport.num(codes, k, 0);
        if (v != 0) {
          byCode.put(k, v);
        }
      }
    }
    return new Totals(
        NodeReport.num(c, "connectionsTotal", 0),
        NodeReport.num(c, "connectionsRefused", 0),
        NodeReport.num(c, "framesReceived", 0),
        NodeReport.num(c, "messagesIn", 0),
        NodeReport.num(c, "messagesOut", 0),
        NodeReport.num(c, "errors", 0),
        NodeReport.num(ex, "started", 0),
        NodeReport.num(ex, "completed", 0),
        NodeReport.num(ex, "failed", 0),
        NodeReport.num(ex, "cancelled", 0),
        byCode);
  }

  /** The same field names as {@code NodeCounters.snapshot()}, without gauges and histograms. */
  public JsonObject toJson() {
    JsonObject codes = new JsonObject();
    errorsByCode.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> codes.put(e.getKey(), e.getValue()));
    return new JsonObject()
        .put("connectionsTotal", connections)
        .put("connectionsRefused", connectionsRefused)
        .put("framesReceived", framesReceived)
        .put("messagesIn", messagesIn)
        .put("messagesOut", messagesOut)
        .put("errors", errors)
        .put("errorsByCode", codes)
        .put("executions", new JsonObject()
            .put("started", executionsStarted)
            .put("completed", executionsCompleted)
            .put("failed", executionsFailed)
            .put("cancelled", executionsCancelled));
  }

  public long executionsEnded() {
    return executionsCompleted + executionsFailed + executionsCancelled;
  }

  public Totals plus(Totals o) {
    return combine(o, 1);
  }

  /** This minus an earlier value of the same node id: what happened in between. */
  public Totals minus(Totals o) {
    return combine(o, -1);
  }

  private Totals combine(Totals o, int sign) {
    Map<String, Long> codes = new TreeMap<>(errorsByCode);
    o.errorsByCode.forEach((k, v) -> codes.merge(k, sign * v, Long::sum));
    codes.values().removeIf(v -> v == 0);
    return new Totals(
        connections + sign * o.connections,
        connectionsRefused + sign * o.connectionsRefused,
        framesReceived + sign * o.framesReceived,
        messagesIn + sign * o.messagesIn,
        messagesOut + sign * o.messagesOut,
        errors + sign * o.errors,
        executionsStarted + sign * o.executionsStarted,
        executionsCompleted + sign * o.executionsCompleted,
        executionsFailed + sign * o.executionsFailed,
        executionsCancelled + sign * o.executionsCancelled,
        codes);
  }
}
