package io.switchboard.hub;

import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;

/** The hub's configuration, read once (ConfigKeys' "hub" section). */
record HubSettings(
    int maxConnections,
    long maxMessageBytes,
    int rateLimit,
    int rateLimitCloseAfter,
    int maxTransactionsPerSession,
    long executionTimeoutMs,
    int writeQueueMaxBytes,
    long slowConsumerGraceMs,
    long pingIntervalMs,
    long idleTimeoutMs,
    int replayMaxFrames,
    long replayMaxAgeMs,
    int replayMaxBytes,
    int creditMessages,
    long creditBytes,
    long monitorPingIntervalMs,
    long monitorIdleTimeoutMs,
    int replayMaxAnswerBytes,
    long memoryBudgetBytes,
    int monitorMaxSubscriptions,
    int monitorSubscribeRate,
    int monitorSubscribeRateCloseAfter,
    long handshakeTimeoutMs,
    int maxPendingHandshakes,
    int maxPendingHandshakesPerAddress,
    int controlFrameRate,
    long closeTimeoutMs) {

  /** How long a client's node waits for a provider to take a transaction. */
  static final long PROVIDER_TIMEOUT_MS = 5_000;
  /** Hub nodes re-announce their tools and interest this often (anti-entropy; changes go out at once). */
  static final long ANNOUNCE_INTERVAL_MS = 5_000;
  /** An announcement without a cluster member behind it (another JVM's interest) lapses after this. */
  static final long ANNOUNCE_LEASE_MS = 3 * ANNOUNCE_INTERVAL_MS;
  /** After a merge, the node announces at once and again this much later (event-bus registrations settle). */
  static final long MERGE_REANNOUNCE_DELAY_MS = 1_500;
  /** Tools one agent may offer. */
  static final int MAX_TOOLS_PER_AGENT = 256;

  static HubSettings from(SwitchboardConfig c) {
    return new HubSettings(
        c.getInt(ConfigKeys.HUB_MAX_CONNECTIONS),
        c.getBytes(ConfigKeys.HUB_MAX_MESSAGE_BYTES),
        c.getInt(ConfigKeys.HUB_RATE_LIMIT),
        c.getInt(ConfigKeys.HUB_RATE_LIMIT_CLOSE_AFTER),
        c.getInt(ConfigKeys.HUB_MAX_TX),
        c.getDurationMs(ConfigKeys.HUB_EXECUTION_TIMEOUT),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes(ConfigKeys.HUB_WRITE_QUEUE_BYTES)),
        c.getDurationMs(ConfigKeys.HUB_SLOW_CONSUMER_GRACE),
        c.getDurationMs(ConfigKeys.HUB_PING_INTERVAL),
        c.getDurationMs(ConfigKeys.HUB_IDLE_TIMEOUT),
        c.getInt(ConfigKeys.HUB_REPLAY_MAX_FRAMES),
        c.getDurationMs(ConfigKeys.HUB_REPLAY_MAX_AGE),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes(ConfigKeys.HUB_REPLAY_MAX_BYTES)),
        c.getInt(ConfigKeys.HUB_FLOW_CREDIT_MESSAGES),
        c.getBytes(ConfigKeys.HUB_FLOW_CREDIT_BYTES),
        c.getDurationMs(ConfigKeys.HUB_MONITOR_PING_INTERVAL),
        c.getDurationMs(ConfigKeys.HUB_MONITOR_IDLE_TIMEOUT),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes(ConfigKeys.HUB_REPLAY_MAX_ANSWER_BYTES)),
        memoryBudget(c.getBytes(ConfigKeys.HUB_MEMORY_BUDGET), Runtime.getRuntime().maxMemory()),
        c.getInt(ConfigKeys.HUB_MONITOR_MAX_SUBSCRIPTIONS),
        c.getInt(ConfigKeys.HUB_MONITOR_SUBSCRIBE_RATE),
        c.getInt(ConfigKeys.HUB_MONITOR_SUBSCRIBE_RATE_CLOSE_AFTER),
        c.getDurationMs(ConfigKeys.HUB_HANDSHAKE_TIMEOUT),
        c.getInt(ConfigKeys.HUB_MAX_PENDING_HANDSHAKES),
        c.getInt(ConfigKeys.HUB_MAX_PENDING_HANDSHAKES_PER_ADDRESS),
        c.getInt(ConfigKeys.HUB_CONTROL_FRAME_RATE),
        c.getDurationMs(ConfigKeys.HUB_CLOSE_TIMEOUT));
  }

  /** hub.memory.budget as configured, or (0) a quarter of the max heap. */
  static long memoryBudget(long configured, long maxHeap) {
    return configured > 0 ? configured : Math.max(1, maxHeap / 4);
  }
}
