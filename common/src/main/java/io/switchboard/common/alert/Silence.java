package io.switchboard.common.alert;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A silence: while {@code startsAt <= now < endsAt}, alerts whose labels match every matcher are not notified to
 * sinks (their state is still tracked and their events still go on the event bus). Label names a matcher may
 * use: any label of the alert, plus {@code alertname} (the rule name) and {@code severity}.
 */
public record Silence(String id, List<Matcher> matchers, long startsAt, long endsAt, String createdBy, String comment,
    long createdAt) {

  public Silence {
    matchers = List.copyOf(matchers);
  }

  /** One label condition: equality, or a full-match regular expression when {@code isRegex}. */
  public record Matcher(String name, String value, boolean isRegex) {
    public boolean matches(Map<String, String> labels) {
      String v = labels.getOrDefault(name, "");
      return isRegex ? Pattern.compile(value).matcher(v).matches() : value.equals(v);
    }

    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("value", value).put("isRegex", isRegex);
    }

    public static Matcher fromJson(JsonObject j) {
      return new Matcher(j.getString("name"), j.getString("value"), j.getBoolean("isRegex", false));
    }
  }

  public boolean activeAt(long now) {
    return startsAt <= now && now < endsAt;
  }

  /** Whether this silence, active at {@code now}, mutes an alert with these labels (alertname and severity included). */
  public boolean mutes(Map<String, String> labels, long now) {
    return activeAt(now) && matchers.stream().allMatch(m -> m.matches(labels));
  }

  public JsonObject toJson(long now) {
    return toJson().put("status", now < startsAt ? "pending" : now < endsAt ? "active" : "expired");
  }

  public JsonObject toJson() {
    JsonArray ms = new JsonArray();
    matchers.forEach(m -> ms.add(m.toJson()));
    return new JsonObject()
        .put("id", id)
        .put("matchers", ms)
        .put("startsAt", startsAt)
        .put("endsAt", endsAt)
        .put("createdBy", createdBy)
        .put("comment", comment)
        .put("createdAt", createdAt);
  }

  public static Silence fromJson(JsonObject j) {
    List<Matcher> ms = new ArrayList<>();
    j.getJsonArray("matchers", new JsonArray()).forEach(o -> ms.add(Matcher.fromJson((JsonObject) o)));
    return new Silence(j.getString("id"), ms, j.getLong("startsAt", 0L), j.getLong("endsAt", 0L),
        j.getString("createdBy", ""), j.getString("comment", ""), j.getLong("createdAt", 0L));
  }
}
