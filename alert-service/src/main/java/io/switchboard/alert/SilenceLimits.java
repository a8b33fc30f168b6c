package io.switchboard.alert;

import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;

/**
 * What one silence request may ask for, and how many silences the cluster keeps: bounds on the work every
 * evaluation does for silences (silences × matchers × pattern size).
 *
 * @param maxSilences silences kept at once ({@code alert.maxSilences})
 * @param maxMatchers matchers in one silence ({@code alert.maxSilenceMatchers})
 * @param maxPatternLength characters in one matcher value ({@code alert.maxMatcherPatternLength})
 * @param maxDurationMs how far past now a silence may end ({@code alert.maxSilenceDuration})
 * @param maxPatternSize the sum of the regex matchers' expanded sizes over all kept silences ({@code alert.maxSilencePatternSize})
 */
record SilenceLimits(int maxSilences, int maxMatchers, int maxPatternLength, long maxDurationMs, long maxPatternSize) {
  static SilenceLimits fromConfig(SwitchboardConfig cfg) {
    return new SilenceLimits(cfg.getInt(ConfigKeys.ALERT_MAX_SILENCES), cfg.getInt(ConfigKeys.ALERT_MAX_SILENCE_MATCHERS),
        cfg.getInt(ConfigKeys.ALERT_MAX_MATCHER_PATTERN_LENGTH), cfg.getDurationMs(ConfigKeys.ALERT_MAX_SILENCE_DURATION),
        cfg.getInt(ConfigKeys.ALERT_MAX_SILENCE_PATTERN_SIZE));
  }

  /** The latest endsAt a silence created at {@code now} may have (saturating, never overflowing). */
  long latestEnd(long now) {
    return now > Long.MAX_VALUE - maxDurationMs ? Long.MAX_VALUE : now + maxDurationMs;
  }
}
