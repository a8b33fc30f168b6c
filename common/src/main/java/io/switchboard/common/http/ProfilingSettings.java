package io.switchboard.common.http;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKey;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;

/**
 * Profiles on demand ({@code POST /admin/profile}, docs/operations.md), read once.
 *
 * @param enabled    whether the endpoint records ({@code admin.profiling.enabled}); off, it answers 404 saying how to
 *                   turn it on
 * @param maxSeconds the longest recording accepted ({@code admin.profiling.maxSeconds}); below
 *                   {@code http.idleTimeout}, which would otherwise cut the silent connection before the answer
 */
public record ProfilingSettings(boolean enabled, int maxSeconds) {
  /**
   * @throws ConfigException naming {@code admin.profiling.maxSeconds} when profiling is on and a recording of that
   *                         length would outlast {@code http.idleTimeout}
   */
  public static ProfilingSettings from(SwitchboardConfig c) {
    ProfilingSettings s = new ProfilingSettings(c.getBoolean(ConfigKeys.ADMIN_PROFILING_ENABLED),
        c.getInt(ConfigKeys.ADMIN_PROFILING_MAX_SECONDS));
    long idle = c.getDurationMs(ConfigKeys.HTTP_IDLE_TIMEOUT);
    if (s.enabled && idle > 0 && s.maxSeconds * 1000L >= idle) {
      throw new ConfigException(ConfigKeys.ADMIN_PROFILING_MAX_SECONDS, "invalid value for configuration key '"
          + ConfigKeys.ADMIN_PROFILING_MAX_SECONDS + "' (env "
          + ConfigKey.envName(ConfigKeys.ADMIN_PROFILING_MAX_SECONDS) + "): " + s.maxSeconds
          + " s must be shorter than http.idleTimeout (" + idle + " ms), which closes a connection that waits silently"
          + " for its recording");
    }
    return s;
  }
}
