package io.switchboard.common.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * The node's sampler unless OTEL_TRACES_SAMPLER says otherwise (docs/operations.md, Tracing): a span with a local
 * parent follows it; a root, or a span whose remote parent (a client's {@code traceparent}, another node's event-bus
 * message) is sampled, is recorded when its trace id falls within the ratio, a decision every node takes alike for one
 * trace; a span whose remote parent is not sampled is not recorded. So {@code tracing.sampleRatio} bounds what the
 * node records, whatever clients ask for.
 */
final class RatioSampler implements Sampler {
  private final Sampler byTraceId;
  private final double ratio;

  RatioSampler(double ratio) {
    this.ratio = ratio;
    this.byTraceId = Sampler.traceIdRatioBased(ratio);
  }

  @Override
  public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
      Attributes attributes, List<LinkData> parentLinks) {
    SpanContext parent = Span.fromContext(parentContext).getSpanContext();
    if (parent.isValid() && !parent.isRemote()) {
      return parent.isSampled() ? SamplingResult.recordAndSample() : SamplingResult.drop();
    }
    if (parent.isValid() && !parent.isSampled()) {
      return SamplingResult.drop();
    }
    return byTraceId.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
  }

  @Override
  public String getDescription() {
    return "SwitchboardRatioSampler{" + ratio + "}";
  }
}
