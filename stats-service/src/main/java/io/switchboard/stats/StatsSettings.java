package io.switchboard.stats;

import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;

/** The stats keys of the configuration, in milliseconds. */
public record StatsSettings(long intervalMs, long windowMs, int staleAfterIntervals, long downRetentionMs) {

  public static StatsSettings from(SwitchboardConfig cfg) {
    return new StatsSettings(
        Math.max(10, cfg.getDurationMs(ConfigKeys.STATS_INTERVAL)),
        Math.max(1, cfg.getDurationMs(ConfigKeys.STATS_WINDOW)),
        cfg.getInt(ConfigKeys.STATS_STALE_INTERVALS),
        cfg.getDurationMs(ConfigKeys.STATS_DOWN_RETENTION));
  }

  /** A node whose last report arrived longer ago than this is stale. */
  public long staleMs() {
    return intervalMs * staleAfterIntervals;
  }
}
