package io.switchboard.launcher.cli;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Epoch milliseconds as the tables show them: ISO-8601 UTC to the second. */
final class Times {
  private Times() {}

  static String iso(Object epochMs) {
    if (!(epochMs instanceof Number n) || n.longValue() <= 0) {
      return null;
    }
    return Instant.ofEpochMilli(n.longValue()).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
