package io.switchboard.common.logging;

import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;

/**
 * The optional log file ({@code log.file.*}, docs/operations.md, Logs): the same lines as stdout, rolled by size and
 * by period into gzip archives beside it.
 *
 * @param path              the live file; empty means no file
 * @param maxFileSizeBytes  the live file is rolled when it reaches this size
 * @param hourly            rolled each hour (UTC) rather than each day
 * @param maxHistory        periods of archives kept; 0 keeps all
 * @param totalSizeCapBytes archives together stay below this; 0 means no cap
 */
public record LogFileSettings(String path, long maxFileSizeBytes, boolean hourly, int maxHistory, long totalSizeCapBytes) {
  /** No file. */
  public static final LogFileSettings NONE = new LogFileSettings("", 0, false, 0, 0);

  public static LogFileSettings from(SwitchboardConfig c) {
    return new LogFileSettings(c.getString(ConfigKeys.LOG_FILE_PATH).trim(), c.getBytes(ConfigKeys.LOG_FILE_MAX_FILE_SIZE),
        "hourly".equals(c.getString(ConfigKeys.LOG_FILE_PERIOD)), c.getInt(ConfigKeys.LOG_FILE_MAX_HISTORY),
        c.getBytes(ConfigKeys.LOG_FILE_TOTAL_SIZE_CAP));
  }

  public boolean enabled() {
    return !path.isEmpty();
  }

  /**
   * Logback's name pattern of the archives: {@code <path>.<UTC date or date and hour>.<index>.gz}, e.g.
   * {@code node.log.2026-11-30.0.gz}.
   */
  public String archivePattern() {
    return path + (hourly ? ".%d{yyyy-MM-dd_HH,UTC}" : ".%d{yyyy-MM-dd,UTC}") + ".%i.gz";
  }
}
