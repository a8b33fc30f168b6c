package io.switchboard.alert;

import io.switchboard.common.alert.LinearRegex;
import io.switchboard.common.alert.Silence;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.http.ApiError;
import io.switchboard.common.http.HttpErrors;
import io.switchboard.common.http.JsonBodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates a silence request ({@code POST /silences}). Every problem is an {@link ApiError} (400) naming the field
 * (e.g. {@code matchers[0].value}, {@code endsAt}) and what was wrong: code {@link HttpErrors#PATTERN_REFUSED} for a
 * regex RE2/J cannot run or that is too long, {@link HttpErrors#INVALID_SILENCE} for anything else. Pure: the clock
 * is passed in.
 */
public final class Silences {
  private Silences() {}

  private static final Set<String> KEYS = Set.of("matchers", "startsAt", "endsAt", "duration", "createdBy", "comment");
  private static final Set<String> MATCHER_KEYS = Set.of("name", "value", "isRegex");
  static final int MAX_TEXT = 1000;
  static final int MAX_LABEL_NAME = 128;
  private static final int MAX_DURATION_TEXT = 32;

  public static Silence parse(Object body, String id, long now, SilenceLimits limits) {
    if (!(body instanceof JsonObject j)) {
      throw new ApiError(400, HttpErrors.INVALID_JSON, null,
          "a silence must be a JSON object {matchers, endsAt or duration}, not " + JsonBodies.kind(body));
    }
    for (String k : j.fieldNames()) {
      if (!KEYS.contains(k)) {
        String name = ApiError.excerpt(k, 64);
        throw ApiError.invalid(HttpErrors.INVALID_SILENCE, name, "unknown silence field '" + name + "' (allowed: " + new TreeSet<>(KEYS) + ")");
      }
    }
    List<Silence.Matcher> matchers = matchers(j.getValue("matchers"), limits);
    long startsAt = now;
    if (j.getValue("startsAt") != null) {
      startsAt = epochMillis(j.getValue("startsAt"), "startsAt");
      if (startsAt <= 0) {
        throw invalid("startsAt", "must be a positive number of epoch milliseconds");
      }
      if (startsAt >= limits.latestEnd(now)) {
        throw invalid("startsAt", "is later than now plus alert.maxSilenceDuration (" + human(limits.maxDurationMs()) + ")");
      }
    }
    long endsAt;
    if (j.getValue("endsAt") != null) {
      if (j.getValue("duration") != null) {
        throw invalid("duration", "give either endsAt or duration, not both");
      }
      endsAt = epochMillis(j.getValue("endsAt"), "endsAt");
    } else if (j.getValue("duration") != null) {
      long d = duration(j.getValue("duration"), limits);
      endsAt = startsAt + d; // both bounded: startsAt < now + max, d <= max
    } else {
      throw invalid("endsAt", "a silence needs endsAt (epoch milliseconds) or duration (e.g. 2h)");
    }
    if (endsAt <= now) {
      throw invalid("endsAt", "must be in the future");
    }
    if (endsAt <= startsAt) {
      throw invalid("endsAt", "must be after startsAt");
    }
    if (endsAt > limits.latestEnd(now)) {
      throw invalid("endsAt", "is later than now plus alert.maxSilenceDuration (" + human(limits.maxDurationMs()) + ")");
    }
    return new Silence(id, matchers, startsAt, endsAt, text(j, "createdBy"), text(j, "comment"), now);
  }

  private static List<Silence.Matcher> matchers(Object raw, SilenceLimits limits) {
    if (!(raw instanceof JsonArray ms) || ms.isEmpty()) {
      throw invalid("matchers", "must be a non-empty list of {name, value, isRegex?}, not "
          + (raw instanceof JsonArray ? "an empty list" : JsonBodies.kind(raw)));
    }
    if (ms.size() > limits.maxMatchers()) {
      throw invalid("matchers", "has " + ms.size() + " matchers; alert.maxSilenceMatchers allows " + limits.maxMatchers());
    }
    List<Silence.Matcher> matchers = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      String at = "matchers[" + i + "]";
      if (!(ms.getValue(i) instanceof JsonObject m)) {
        throw invalid(at, "must be an object {name, value, isRegex?}, not " + JsonBodies.kind(ms.getValue(i)));
      }
      for (String k : m.fieldNames()) {
        if (!MATCHER_KEYS.contains(k)) {
          String name = at + "." + ApiError.excerpt(k, 64);
          throw ApiError.invalid(HttpErrors.INVALID_SILENCE, name, "unknown matcher field '" + name + "' (allowed: name, value, isRegex)");
        }
      }
      if (!(m.getValue("name") instanceof String name) || name.length() > MAX_LABEL_NAME || !labelName(name)) {
        throw invalid(at + ".name", "must be a label name of at most " + MAX_LABEL_NAME
            + " letters, digits and underscores, not starting with a digit (alertname, severity, node or a rule label)");
      }
      Object isRegexValue = m.getValue("isRegex");
      if (isRegexValue != null && !(isRegexValue instanceof Boolean)) {
        throw invalid(at + ".isRegex", "must be true or false, not " + JsonBodies.kind(isRegexValue));
      }
      boolean isRegex = Boolean.TRUE.equals(isRegexValue);
      if (!(m.getValue("value") instanceof String value)) {
        throw invalid(at + ".value", "must be a string, not " + JsonBodies.kind(m.getValue("value")));
      }
      if (value.length() > limits.maxPatternLength()) {
        String why = "is " + value.length() + " characters long; alert.maxMatcherPatternLength allows " + limits.maxPatternLength();
        throw isRegex ? new ApiError(400, HttpErrors.PATTERN_REFUSED, at + ".value", at + ".value " + why) : invalid(at + ".value", why);
      }
      if (isRegex) {
        try {
          LinearRegex.compile(value);
        } catch (LinearRegex.Refused e) {
          throw new ApiError(400, HttpErrors.PATTERN_REFUSED, at + ".value", at + ".value is refused: " + e.getMessage());
        }
      }
      matchers.add(new Silence.Matcher(name, value, isRegex));
    }
    return matchers;
  }

  private static boolean labelName(String s) {
    if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  /** A JSON number that is a whole number of milliseconds within the range of a long. */
  private static long epochMillis(Object v, String field) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (!(v instanceof Number n)) {
      throw invalid(field, "must be a number of epoch milliseconds, not " + JsonBodies.kind(v));
    }
    if ((v instanceof Double d && !Double.isFinite(d)) || (v instanceof Float f && !Float.isFinite(f))) {
      throw invalid(field, "is out of range: epoch milliseconds up to now plus alert.maxSilenceDuration");
    }
    BigDecimal exact = new BigDecimal(n.toString());
    if (exact.signum() != 0 && exact.stripTrailingZeros().scale() > 0) {
      throw invalid(field, "must be a whole number of epoch milliseconds, not a fraction");
    }
    try {
      return exact.longValueExact();
    } catch (ArithmeticException tooLarge) {
      throw invalid(field, "is out of range: epoch milliseconds up to now plus alert.maxSilenceDuration");
    }
  }

  private static long duration(Object v, SilenceLimits limits) {
    if (!(v instanceof String) && !(v instanceof Integer) && !(v instanceof Long)) {
      throw invalid("duration", "must be a duration such as 90m or 2h, or a whole number of milliseconds, not "
          + (v instanceof Number ? "a fraction or an out-of-range number" : JsonBodies.kind(v)));
    }
    if (v instanceof String s && s.length() > MAX_DURATION_TEXT) {
      throw invalid("duration", "must be a duration such as 90m or 2h (at most " + MAX_DURATION_TEXT + " characters)");
    }
    long d;
    try {
      d = SwitchboardConfig.parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw invalid("duration", "must be a duration such as 90m or 2h, or a whole number of milliseconds");
    }
    if (d <= 0) {
      throw invalid("duration", "must be positive");
    }
    if (d > limits.maxDurationMs()) {
      throw invalid("duration", "is longer than alert.maxSilenceDuration (" + human(limits.maxDurationMs()) + ")");
    }
    return d;
  }

  private static String text(JsonObject j, String key) {
    Object v = j.getValue(key);
    if (v == null) {
      return "";
    }
    if (!(v instanceof String s)) {
      throw invalid(key, "must be a string, not " + JsonBodies.kind(v));
    }
    if (s.length() > MAX_TEXT) {
      throw invalid(key, "must be at most " + MAX_TEXT + " characters");
    }
    return s;
  }

  private static ApiError invalid(String field, String what) {
    return ApiError.invalid(HttpErrors.INVALID_SILENCE, field, field + " " + what);
  }

  /** A duration as an operator wrote it: 30d, 12h, 90m, 45s or 1500ms. */
  static String human(long ms) {
    if (ms % 86_400_000 == 0 && ms > 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0 && ms > 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
