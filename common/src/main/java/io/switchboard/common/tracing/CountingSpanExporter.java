package io.switchboard.common.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps the node's span exporter and counts what became of each batch: exported, or dropped because the export
 * failed (collector down, refused, timed out). The SDK's batch processor calls it from its own thread.
 */
final class CountingSpanExporter implements SpanExporter {
  private final SpanExporter delegate;
  private final LongAdder exported;
  private final LongAdder dropped;

  CountingSpanExporter(SpanExporter delegate, LongAdder exported, LongAdder dropped) {
    this.delegate = delegate;
    this.exported = exported;
    this.dropped = dropped;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    int n = spans.size();
    CompletableResultCode result;
    try {
      result = delegate.export(spans);
    } catch (RuntimeException e) {
      dropped.add(n);
      return CompletableResultCode.ofFailure();
    }
    result.whenComplete(() -> (result.isSuccess() ? exported : dropped).add(n));
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  @Override
  public String toString() {
    return "CountingSpanExporter{" + delegate + "}";
  }
}
