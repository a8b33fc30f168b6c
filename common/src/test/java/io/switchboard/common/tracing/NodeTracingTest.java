package io.switchboard.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.node.NodeIdentity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The sampling rule, the count of malformed traceparents, and trace ids in log lines (docs/operations.md, Tracing). */
class NodeTracingTest {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static SamplingDecision decide(Sampler s, Context parent) {
    return s.shouldSample(parent, TRACE, "t", SpanKind.SERVER, Attributes.empty(), List.of()).getDecision();
  }

  private static Context remote(boolean sampled) {
    return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(TRACE, "00f067aa0ba902b7",
        sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault())));
  }

  @Test
  void theRatioDecidesForRootsAndForSampledRemoteParentsAndANotSampledParentIsNeverRecorded() {
    Sampler all = NodeTracing.sampler(1.0);
    Sampler none = NodeTracing.sampler(0.0);
    assertThat(decide(all, Context.root())).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    assertThat(decide(none, Context.root())).isEqualTo(SamplingDecision.DROP);
    assertThat(decide(all, remote(true))).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    // ratio 0 holds even against a client that asks for sampling
    assertThat(decide(none, remote(true))).isEqualTo(SamplingDecision.DROP);
    assertThat(decide(all, remote(false))).isEqualTo(SamplingDecision.DROP);
  }

  @Test
  void aMalformedTraceparentIsIgnoredAndCounted() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    NodeTracing t = NodeTracing.start(new TracingSettings(true, 1.0), NodeIdentity.create("n", List.of("hub"), "test"),
        registry);
    try {
      assertThat(t.remoteParent("00-" + TRACE + "-00f067aa0ba902b7-01").getTraceId()).isEqualTo(TRACE);
      assertThat(t.remoteParent(null)).isNull();
      assertThat(t.remoteParent("garbage")).isNull();
      assertThat(t.remoteParent(17)).isNull();
      assertThat(registry.get("switchboard.tracing.traceparent.invalid").functionCounter().count()).isEqualTo(2);
      // a span started with it as parent joins the client's trace
      Span s = t.span("x", SpanKind.SERVER, Context.root().with(Span.wrap(t.remoteParent("00-" + TRACE
          + "-00f067aa0ba902b7-01")))).startSpan();
      assertThat(s.getSpanContext().getTraceId()).isEqualTo(TRACE);
      assertThat(NodeTracing.traceparentOf(s)).startsWith("00-" + TRACE + "-").endsWith("-01");
      s.end();
    } finally {
      t.close(1000);
    }
  }

  @Test
  void anOtelSettingTheSdkCannotUseStopsStartUpNamingIt() {
    System.setProperty("otel.traces.sampler", "sometimes");
    try {
      assertThatThrownBy(() -> NodeTracing.start(new TracingSettings(true, 1.0),
          NodeIdentity.create("n", List.of("hub"), "test"), new SimpleMeterRegistry()))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("otel.traces.sampler")
          .hasMessageContaining("sometimes");
    } finally {
      System.clearProperty("otel.traces.sampler");
    }
  }

  @Test
  void offMakesSpansWithoutIds() {
    NodeTracing t = NodeTracing.start(TracingSettings.OFF, NodeIdentity.create("n", List.of("hub"), "test"),
        new SimpleMeterRegistry());
    Span s = t.span("x", SpanKind.SERVER, null).startSpan();
    assertThat(s.getSpanContext().isValid()).isFalse();
    assertThat(NodeTracing.traceparentOf(s)).isNull();
  }

  @Test
  void aLineWrittenInsideASpanCarriesItsIdsAndALineOutsideDoesNot() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    TraceIdsToMdc filter = new TraceIdsToMdc();
    ctx.addTurboFilter(filter);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Logger log = ctx.getLogger("trace-ids-test");
    log.addAppender(lines);
    NodeTracing t = NodeTracing.start(new TracingSettings(true, 1.0), NodeIdentity.create("n", List.of("hub"), "test"),
        new SimpleMeterRegistry());
    try {
      Span s = t.span("x", SpanKind.SERVER, null).startSpan();
      try (Scope ignored = s.makeCurrent()) {
        log.info("inside");
      }
      log.info("outside");
      s.end();
      assertThat(lines.list.get(0).getMDCPropertyMap())
          .containsEntry("trace_id", s.getSpanContext().getTraceId())
          .containsEntry("span_id", s.getSpanContext().getSpanId());
      assertThat(lines.list.get(1).getMDCPropertyMap()).doesNotContainKey("trace_id");
    } finally {
      t.close(1000);
      log.detachAppender(lines);
      ctx.getTurboFilterList().remove(filter);
    }
  }
}
