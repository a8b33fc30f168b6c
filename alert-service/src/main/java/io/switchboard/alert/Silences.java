package io.switchboard.alert;

import io.switchboard.common.alert.Silence;
import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Validates a silence request ({@code POST /silences}); every problem is an IllegalArgumentException for a 400. Pure. */
public final class Silences {
  private Silences() {}

  private static final Set<String> KEYS = Set.of("matchers", "startsAt", "endsAt", "duration", "createdBy", "comment");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final int MAX_TEXT = 1000;

  public static Silence parse(Object body, String id, long now) {
    if (!(body instanceof JsonObject j)) {
      throw new IllegalArgumentException("silence must be a JSON object with matchers and endsAt or duration");
    }
    for (String k : j.fieldNames()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown silence field '" + k + "' (allowed: " + new TreeSet<>(KEYS) + ")");
      }
    }
    if (!(j.getValue("matchers") instanceof JsonArray ms) || ms.isEmpty()) {
      throw new IllegalArgumentException("matchers must be a non-empty list of {name, value, isRegex?}");
    }
    List<Silence.Matcher> matchers = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      if (!(ms.getValue(i) instanceof JsonObject m)) {
        throw new IllegalArgumentException("matcher #" + (i + 1) + " must be an object {name, value, isRegex?}");
      }
      for (String k : m.fieldNames()) {
        if (!Set.of("name", "value", "isRegex").contains(k)) {
          throw new IllegalArgumentException("matcher #" + (i + 1) + ": unknown field '" + k + "'");
        }
      }
      if (!(m.getValue("name") instanceof String name) || !LABEL.matcher(name).matches()) {
        throw new IllegalArgumentException("matcher #" + (i + 1) + ": name must be a label name (alertname, severity, node or a rule label)");
      }
      if (!(m.getValue("value") instanceof String value) || value.length() > MAX_TEXT) {
        throw new IllegalArgumentException("matcher #" + (i + 1) + ": value must be a string of at most " + MAX_TEXT + " characters");
      }
      Object re = m.getValue("isRegex");
      if (re != null && !(re instanceof Boolean)) {
        throw new IllegalArgumentException("matcher #" + (i + 1) + ": isRegex must be true or false");
      }
      boolean isRegex = Boolean.TRUE.equals(re);
      if (isRegex) {
        try {
          Pattern.compile(value);
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException("matcher #" + (i + 1) + ": value is not a valid regular expression: " + e.getDescription());
        }
      }
      matchers.add(new Silence.Matcher(name, value, isRegex));
    }
    long startsAt = now;
    if (j.getValue("startsAt") != null) {
      if (!(j.getValue("startsAt") instanceof Number n) || n.longValue() <= 0) {
        throw new IllegalArgumentException("startsAt must be epoch milliseconds");
      }
      startsAt = n.longValue();
    }
    long endsAt;
    if (j.getValue("endsAt") != null) {
      if (j.getValue("duration") != null) {
        throw new IllegalArgumentException("give either endsAt or duration, not both");
      }
      if (!(j.getValue("endsAt") instanceof Number n)) {
        throw new IllegalArgumentException("endsAt must be epoch milliseconds");
      }
      endsAt = n.longValue();
    } else if (j.getValue("duration") != null) {
      long d;
      try {
        d = SwitchboardConfig.parseDuration(j.getValue("duration"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("duration: " + e.getMessage());
      }
      if (d <= 0) {
        throw new IllegalArgumentException("duration must be positive");
      }
      endsAt = startsAt + d;
    } else {
      throw new IllegalArgumentException("a silence needs endsAt (epoch ms) or duration (e.g. 2h)");
    }
    if (endsAt <= now || endsAt <= startsAt) {
      throw new IllegalArgumentException("endsAt must be in the future and after startsAt");
    }
    return new Silence(id, matchers, startsAt, endsAt, text(j, "createdBy"), text(j, "comment"), now);
  }

  private static String text(JsonObject j, String key) {
    Object v = j.getValue(key);
    if (v == null) {
      return "";
    }
    if (!(v instanceof String s) || s.length() > MAX_TEXT) {
      throw new IllegalArgumentException(key + " must be a string of at most " + MAX_TEXT + " characters");
    }
    return s;
  }
}
