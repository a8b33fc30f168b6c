package io.switchboard.common.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * A span processor that does nothing with spans. The SDK gives spans ids only when its tracer provider has at
 * least one processor; a node without an OTLP endpoint (no exporter, so no batch processor) registers this one so
 * its spans still carry trace ids into {@code traceparent}, {@code /ws} frames and log lines.
 */
final class IdsOnlyProcessor implements SpanProcessor {
  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }
}
