package io.switchboard.alert;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * One validated alert rule (see docs/alerts.md for the format). Built by {@link RuleParser}; immutable.
 *
 * @param clearThreshold null: the alert clears as soon as the comparison with {@code threshold} fails
 * @param minVolume null: no minimum; else the expression only counts when the volume field is at least min
 * @param wasAtLeast null: no precondition; else the rule may only start (pending/firing) while the field was at
 *     least min at some evaluation within the last {@code withinMs}
 */
public record Rule(
    String name,
    Expr expr,
    Scope scope,
    Op op,
    double threshold,
    Double clearThreshold,
    Volume minVolume,
    Recent wasAtLeast,
    long forMs,
    long keepFiringForMs,
    String severity,
    Map<String, String> labels,
    String summary,
    String description) {

  public Rule {
    labels = Map.copyOf(labels);
  }

  /** What one evaluation of the rule ranges over. */
  public enum Scope {
    /** Once over the cluster-wide stats. */
    CLUSTER("cluster", null),
    /** Once per live (not stale) entry of ClusterStats.perNode; label node = its name. */
    NODE("perNode", "perNode."),
    /** Once per entry of ClusterStats.downNodes; label node = its name. */
    DOWN_NODE("downNodes", "downNodes.");

    final String json;
    final String prefix;

    Scope(String json, String prefix) {
      this.json = json;
      this.prefix = prefix;
    }
  }

  public enum Op {
    GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public boolean test(double value, double threshold) {
      return switch (this) {
        case GT -> value > threshold;
        case GE -> value >= threshold;
        case LT -> value < threshold;
        case LE -> value <= threshold;
        case EQ -> value == threshold;
        case NE -> value != threshold;
      };
    }

    static Op of(String s) {
      for (Op o : values()) {
        if (o.symbol.equals(s)) {
          return o;
        }
      }
      return null;
    }
  }

  public record Volume(String field, double min) {
    JsonObject toJson() {
      return new JsonObject().put("field", field).put("min", min);
    }
  }

  public record Recent(String field, double min, long withinMs) {
    JsonObject toJson() {
      return new JsonObject().put("field", field).put("min", min).put("within", withinMs);
    }
  }

  /** Whether a value breaches the rule (starts or keeps the condition true). */
  public boolean breaches(double value) {
    return op.test(value, threshold);
  }

  /** While firing: whether the value still holds the alert (the clear threshold, if any, gives hysteresis). */
  public boolean holds(double value) {
    return op.test(value, clearThreshold != null ? clearThreshold : threshold);
  }

  /** The normalized rule as JSON (durations in ms), as {@code GET /alerts/rules} shows it. */
  public JsonObject toJson() {
    JsonObject l = new JsonObject();
    new TreeMap<>(labels).forEach(l::put);
    return new JsonObject()
        .put("name", name)
        .put("expr", expr.source())
        .put("scope", scope.json)
        .put("op", op.symbol)
        .put("threshold", threshold)
        .put("clearThreshold", clearThreshold)
        .put("minVolume", minVolume == null ? null : minVolume.toJson())
        .put("wasAtLeast", wasAtLeast == null ? null : wasAtLeast.toJson())
        .put("for", forMs)
        .put("keepFiringFor", keepFiringForMs)
        .put("severity", severity)
        .put("labels", l)
        .put("summary", summary)
        .put("description", description);
  }
}
