package io.switchboard.alert;

import io.switchboard.common.alert.AlertEvent;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state of one alert series (rule + labels), as kept in the cluster so another replica can continue it.
 * Changes only on edges (pending starts, fires, starts clearing, resolves), so it is written rarely.
 *
 * @param pendingSince when the condition became true (0 unless pending)
 * @param clearingSince while firing: when the condition stopped holding (0 while it holds)
 * @param lastQualifiedAt last evaluation at which the rule's wasAtLeast precondition held, coarse (5 s steps)
 * @param notified whether the firing was notified to sinks (not silenced); the resolution follows it
 * @param firing the firing transition while firing, else null
 */
public record AlertState(String fingerprint, String rule, Map<String, String> labels, Phase phase, long pendingSince,
    long clearingSince, long lastQualifiedAt, boolean notified, AlertEvent firing) {

  public enum Phase { INACTIVE, PENDING, FIRING }

  public AlertState {
    labels = Map.copyOf(labels);
  }

  static AlertState inactive(String fingerprint, String rule, Map<String, String> labels) {
    return new AlertState(fingerprint, rule, labels, Phase.INACTIVE, 0, 0, 0, false, null);
  }

  AlertState withPhase(Phase p, long pendingSince, long clearingSince, boolean notified, AlertEvent firing) {
    return new AlertState(fingerprint, rule, labels, p, pendingSince, clearingSince, lastQualifiedAt, notified, firing);
  }

  AlertState withLastQualifiedAt(long t) {
    return new AlertState(fingerprint, rule, labels, phase, pendingSince, clearingSince, t, notified, firing);
  }

  public JsonObject toJson() {
    JsonObject l = new JsonObject();
    new TreeMap<>(labels).forEach(l::put);
    return new JsonObject()
        .put("fingerprint", fingerprint)
        .put("rule", rule)
        .put("labels", l)
        .put("phase", phase.name().toLowerCase())
        .put("pendingSince", pendingSince)
        .put("clearingSince", clearingSince)
        .put("lastQualifiedAt", lastQualifiedAt)
        .put("notified", notified)
        .put("firing", firing == null ? null : firing.toJson());
  }

  public static AlertState fromJson(JsonObject j) {
    Map<String, String> labels = new LinkedHashMap<>();
    j.getJsonObject("labels", new JsonObject()).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
    JsonObject f = j.getJsonObject("firing");
    return new AlertState(j.getString("fingerprint"), j.getString("rule"), labels,
        Phase.valueOf(j.getString("phase", "inactive").toUpperCase()), j.getLong("pendingSince", 0L),
        j.getLong("clearingSince", 0L), j.getLong("lastQualifiedAt", 0L), j.getBoolean("notified", false),
        f == null ? null : AlertEvent.fromJson(f));
  }
}
