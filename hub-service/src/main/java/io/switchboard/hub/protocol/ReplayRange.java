package io.switchboard.hub.protocol;

import java.math.BigDecimal;

/**
 * A REPLAY_REQUEST's {@code from_seq}/{@code to_seq}, checked: each a non-negative integer, as a JSON number or a
 * string of digits, at most {@link #MAX_SEQ}; {@code from_seq} required, {@code to_seq} optional (no upper end);
 * {@code from_seq ≤ to_seq}. Anything else is a problem with a message naming the field. Pure.
 */
public record ReplayRange(long from, long to, String problem) {
  /** Largest seq accepted: 2^53, what every JSON client can represent exactly. */
  public static final long MAX_SEQ = 1L << 53;

  public boolean ok() {
    return problem == null;
  }

  public static ReplayRange parse(Object fromValue, Object toValue) {
    if (fromValue == null) {
      return bad("REPLAY_REQUEST needs payload.from_seq");
    }
    String p = check("from_seq", fromValue);
    if (p != null) {
      return bad(p);
    }
    long from = value(fromValue);
    long to = MAX_SEQ;
    if (toValue != null) {
      p = check("to_seq", toValue);
      if (p != null) {
        return bad(p);
      }
      to = value(toValue);
      if (from > to) {
        return bad("from_seq " + from + " is greater than to_seq " + to);
      }
    }
    return new ReplayRange(from, to, null);
  }

  private static ReplayRange bad(String problem) {
    return new ReplayRange(-1, -1, problem);
  }

  /** Why the value is not a seq, or null. */
  private static String check(String field, Object v) {
    BigDecimal d = decimal(v);
    if (d == null) {
      return field + " must be a non-negative integer (a number or a string of digits)";
    }
    if (d.signum() < 0) {
      return field + " must not be negative";
    }
    if (d.stripTrailingZeros().scale() > 0) {
      return field + " must be an integer";
    }
    if (d.compareTo(BigDecimal.valueOf(MAX_SEQ)) > 0) {
      return field + " is larger than any seq (at most " + MAX_SEQ + ")";
    }
    return null;
  }

  private static long value(Object v) {
    return decimal(v).longValue();
  }

  private static BigDecimal decimal(Object v) {
    if (v instanceof Number n) {
      if (n instanceof Double dd && (dd.isNaN() || dd.isInfinite()) || n instanceof Float ff && (ff.isNaN() || ff.isInfinite())) {
        return null;
      }
      try {
        return new BigDecimal(n.toString());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if (v instanceof String s) {
      String t = s.trim();
      if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      String digits = t.replaceFirst("^0+(?=.)", "");
      // past 19 digits it is beyond any long: no need to parse all of it
      return digits.length() > 19 ? BigDecimal.TEN.pow(20) : new BigDecimal(digits);
    }
    return null;
  }
}
