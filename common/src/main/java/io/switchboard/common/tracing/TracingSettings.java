package io.switchboard.common.tracing;

import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;

/**
 * The node's tracing configuration (docs/operations.md, Tracing).
 *
 * @param enabled {@code tracing.enabled}: spans are made, context travels with transactions and event-bus messages,
 *     and log lines carry trace ids; spans leave the node only when an OTLP endpoint is set ({@code OTEL_*})
 * @param sampleRatio {@code tracing.sampleRatio}: the share of traces recorded, decided from the trace id (so every
 *     node takes the same decision for one trace), for traces the node starts and for sampled traces it joins
 */
public record TracingSettings(boolean enabled, double sampleRatio) {
  public static final TracingSettings OFF = new TracingSettings(false, 0);

  public static TracingSettings from(SwitchboardConfig cfg) {
    return new TracingSettings(cfg.getBoolean(ConfigKeys.TRACING_ENABLED), cfg.getDouble(ConfigKeys.TRACING_SAMPLE_RATIO));
  }
}
