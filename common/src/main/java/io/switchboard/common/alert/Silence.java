package io.switchboard.common.alert;

import com.google.re2j.Pattern;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

  /**
   * One label condition: equality, or, when {@code isRegex}, a full match of an RE2 pattern on the RE2/J engine
   * (linear in the label's length; see {@link LinearRegex}). The pattern is compiled when first matched, through
   * {@link LinearRegex#compileCached}; a pattern RE2/J refuses (only possible for a silence stored before validation
   * refused it) matches nothing, so that silence mutes nothing.
   */
  public static final class Matcher {
    private final String name;
    private final String value;
    private final boolean isRegex;
    /** The compiled pattern, {@link #REFUSED}, or null until first needed. */
    private volatile Object compiled;
    private static final Object REFUSED = new Object();

    public Matcher(String name, String value, boolean isRegex) {
      this.name = name;
      this.value = value;
      this.isRegex = isRegex;
    }

    private Pattern pattern() {
      Object c = compiled;
      if (c == null) {
        try {
          c = LinearRegex.compileCached(value);
        } catch (LinearRegex.Refused e) {
          c = REFUSED;
        }
        compiled = c;
      }
      return c instanceof Pattern p ? p : null;
    }

    /** The expanded size of this matcher's pattern (0 for an equality matcher): what matching it costs per character. */
    public long patternSize() {
      return isRegex ? LinearRegex.expandedSize(value) : 0;
    }

    public String name() {
      return name;
    }

    public String value() {
      return value;
    }

    public boolean isRegex() {
      return isRegex;
    }

    public boolean matches(Map<String, String> labels) {
      String v = labels.getOrDefault(name, "");
      if (!isRegex) {
        return value.equals(v);
      }
      Pattern p = pattern();
      return p != null && p.matches(v);
    }

    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("value", value).put("isRegex", isRegex);
    }

    public static Matcher fromJson(JsonObject j) {
      return new Matcher(j.getString("name"), j.getString("value"), j.getBoolean("isRegex", false));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Matcher m && m.name.equals(name) && m.value.equals(value) && m.isRegex == isRegex;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, value, isRegex);
    }

    @Override
    public String toString() {
      return "Matcher[name=" + name + ", value=" + value + ", isRegex=" + isRegex + "]";
    }
  }

  /** The sum of the expanded sizes of this silence's regex matchers: its share of alert.maxSilencePatternSize. */
  public long patternSize() {
    return matchers.stream().mapToLong(Matcher::patternSize).sum();
  }

  public boolean activeAt(long now) {
    return startsAt <= now && now < endsAt;
  }

  /** Whether this silence, active at {@code now}, mutes an alert with these labels (alertname and severity included). */
  public boolean mutes(Map<String, String> labels, long now) {
    if (!activeAt(now)) {
      return false;
    }
    // equality first: cheap, and a silence whose equality fails needs no pattern run
    for (Matcher m : matchers) {
      if (!m.isRegex() && !m.matches(labels)) {
        return false;
      }
    }
    for (Matcher m : matchers) {
      if (m.isRegex() && !m.matches(labels)) {
        return false;
      }
    }
    return true;
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
