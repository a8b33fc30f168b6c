package io.switchboard.alert;

import io.switchboard.common.cluster.FencedLeadership;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;

/**
 * The alert role's settings, read once: what the configuration says (ConfigKeys' "alert" section and the stats
 * timing the evaluator depends on) and the fixed values of the evaluator, named here rather than inline.
 *
 * @param evaluationIntervalMs alert.evaluationInterval
 * @param historyMax alert.historyMax
 * @param statsStaleAfterMs ClusterStats older than this are not evaluated: one interval more than the stats
 *     service's own staleness ({@code stats.interval × (stats.staleAfterIntervals + 1)}), at least
 *     {@link #MIN_STATS_STALE_AFTER_MS}
 * @param silences the limits on silences
 * @param groupWaitMs alert.groupWait (0: each transition is its own notification)
 */
record AlertSettings(long evaluationIntervalMs, int historyMax, long statsStaleAfterMs, SilenceLimits silences,
    long groupWaitMs) {
  /** The evaluator's leadership: lock and epoch names, a 1 s lock wait, tried again every 500 ms. */
  static final FencedLeadership.Settings LEADERSHIP =
      new FencedLeadership.Settings("alert", "switchboard.alert.leader", "switchboard.alert.epoch", 1_000, 500);
  /** How often the leader checks that its leader record is still in the cluster's map. */
  static final long LEADER_RECORD_CHECK_MS = 2_000;
  /** The floor of {@link #statsStaleAfterMs}: short stats intervals still leave room for one late publication. */
  static final long MIN_STATS_STALE_AFTER_MS = 3_000;
  /** Connect timeout of the sinks' HTTP client (each sink has its own request timeout). */
  static final int SINK_CONNECT_TIMEOUT_MS = 5_000;

  static AlertSettings from(SwitchboardConfig c) {
    long statsInterval = c.getDurationMs(ConfigKeys.STATS_INTERVAL);
    long staleAfter = Math.max(MIN_STATS_STALE_AFTER_MS, statsInterval * (c.getInt(ConfigKeys.STATS_STALE_INTERVALS) + 1));
    return new AlertSettings(c.getDurationMs(ConfigKeys.ALERT_EVALUATION_INTERVAL), c.getInt(ConfigKeys.ALERT_HISTORY_MAX),
        staleAfter, SilenceLimits.fromConfig(c), c.getDurationMs(ConfigKeys.ALERT_GROUP_WAIT));
  }
}
