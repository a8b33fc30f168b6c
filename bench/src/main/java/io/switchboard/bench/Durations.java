package io.switchboard.bench;

import java.util.Locale;

/** Parses durations such as {@code 15s}, {@code 500ms}, {@code 2m}, {@code 1h}; a bare number is seconds. */
public final class Durations {
  private Durations() {}

  public static long toMillis(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.endsWith("ms")) {
        return Long.parseLong(s.substring(0, s.length() - 2).trim());
      }
      char unit = s.charAt(s.length() - 1);
      if (Character.isDigit(unit)) {
        return Math.round(Double.parseDouble(s) * 1000);
      }
      double v = Double.parseDouble(s.substring(0, s.length() - 1).trim());
      return switch (unit) {
        case 's' -> Math.round(v * 1000);
        case 'm' -> Math.round(v * 60_000);
        case 'h' -> Math.round(v * 3_600_000);
        default -> throw new IllegalArgumentException("unknown unit in duration '" + text + "' (use ms, s, m, h)");
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 15s, 500ms, 2m)");
    }
  }
}
