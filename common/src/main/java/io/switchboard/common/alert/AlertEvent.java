package io.switchboard.common.alert;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alert transition, published on {@code switchboard.alerts} (docs/alerts.md; docs/architecture.md, "Event-bus contract"). The {@code id}
 * is deterministic: the same transition (fingerprint, startsAt, state) always has the same id, so a subscriber can
 * drop a repeat sent after a fail-over of the evaluator, and sinks use it as their dedup key.
 *
 * @param value the observed value (null when there was no data, e.g. the node left)
 * @param endsAt null while firing; the resolution time on a resolved event
 * @param reason why a resolved event ended other than by its value clearing ({@link #RULE_REMOVED}); null otherwise
 */
public record AlertEvent(
    String id,
    String fingerprint,
    String rule,
    String severity,
    String state,
    Double value,
    double threshold,
    Map<String, String> labels,
    String summary,
    String description,
    long startsAt,
    Long endsAt,
    long timestamp,
    String reason) {

  public static final String FIRING = "firing";
  public static final String RESOLVED = "resolved";
  /** The reason of the resolution of an alert whose rule a reload removed or renamed. */
  public static final String RULE_REMOVED = "rule removed";

  public AlertEvent {
    labels = Map.copyOf(labels);
  }

  /** A transition without a reason (every transition but the resolution of a removed rule's alert). */
  public AlertEvent(String id, String fingerprint, String rule, String severity, String state, Double value,
      double threshold, Map<String, String> labels, String summary, String description, long startsAt, Long endsAt,
      long timestamp) {
    this(id, fingerprint, rule, severity, state, value, threshold, labels, summary, description, startsAt, endsAt,
        timestamp, null);
  }

  public boolean firing() {
    return FIRING.equals(state);
  }

  /** The identity of an alert series: the rule name plus its labels (sorted), hashed. */
  public static String fingerprint(String rule, Map<String, String> labels) {
    StringBuilder sb = new StringBuilder(rule);
    new TreeMap<>(labels).forEach((k, v) -> sb.append('\u0000').append(k).append('=').append(v));
    return sha256(sb.toString()).substring(0, 16);
  }

  /** The deterministic id of a transition: hash of fingerprint, startsAt and state. */
  public static String idOf(String fingerprint, long startsAt, String state) {
    return sha256(fingerprint + "|" + startsAt + "|" + state).substring(0, 32);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public JsonObject toJson() {
    JsonObject l = new JsonObject();
    new TreeMap<>(labels).forEach(l::put);
    JsonObject j = new JsonObject()
        .put("id", id)
        .put("fingerprint", fingerprint)
        .put("rule", rule)
        .put("severity", severity)
        .put("state", state)
        .put("value", value)
        .put("threshold", threshold)
        .put("labels", l)
        .put("annotations", new JsonObject().put("summary", summary).put("description", description))
        .put("startsAt", startsAt)
        .put("endsAt", endsAt)
        .put("timestamp", timestamp);
    if (reason != null) {
      j.put("reason", reason);
    }
    return j;
  }

  public static AlertEvent fromJson(JsonObject j) {
    Map<String, String> labels = new LinkedHashMap<>();
    JsonObject l = j.getJsonObject("labels", new JsonObject());
    l.forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
    JsonObject a = j.getJsonObject("annotations", new JsonObject());
    Number value = j.getNumber("value");
    Number endsAt = j.getNumber("endsAt");
    return new AlertEvent(
        j.getString("id"),
        j.getString("fingerprint"),
        j.getString("rule"),
        j.getString("severity"),
        j.getString("state"),
        value == null ? null : value.doubleValue(),
        j.getNumber("threshold", 0).doubleValue(),
        labels,
        a.getString("summary", ""),
        a.getString("description", ""),
        j.getLong("startsAt", 0L),
        endsAt == null ? null : endsAt.longValue(),
        j.getLong("timestamp", 0L),
        j.getString("reason"));
  }
}
