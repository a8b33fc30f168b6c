package io.switchboard.common.tracing;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.node.NodeIdentity;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's OpenTelemetry (docs/operations.md, Tracing): the SDK configured from {@code tracing.*} and the standard
 * {@code OTEL_*} variables, its tracer for the node's own spans, and the counts of what became of them. Disabled, it
 * is OpenTelemetry's no-op: spans cost a method call and carry no ids. Thread-safe.
 */
public final class NodeTracing {
  private static final Logger LOG = LoggerFactory.getLogger(NodeTracing.class);
  /** The resource attribute that names the node (its {@code node.name}); {@code service.instance.id} is its node id. */
  public static final AttributeKey<String> NODE_ATTRIBUTE = AttributeKey.stringKey("switchboard.node");
  static final String INSTRUMENTATION_SCOPE = "io.switchboard";

  private final TracingSettings settings;
  private final OpenTelemetry otel;
  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;
  private final LongAdder exported;
  private final LongAdder dropped;
  private final LongAdder invalidTraceparents = new LongAdder();

  private NodeTracing(TracingSettings settings, OpenTelemetrySdk sdk, LongAdder exported, LongAdder dropped) {
    this.settings = settings;
    this.sdk = sdk;
    this.exported = exported;
    this.dropped = dropped;
    this.otel = sdk == null ? OpenTelemetry.noop() : sdk;
    this.tracer = otel.getTracer(INSTRUMENTATION_SCOPE);
  }

  /** Tracing off: the no-op. */
  public static NodeTracing off() {
    return new NodeTracing(TracingSettings.OFF, null, new LongAdder(), new LongAdder());
  }

  /**
   * Builds the node's SDK when {@code settings.enabled()}: resource {@code service.name} (OTEL_SERVICE_NAME, else
   * {@code switchboard}), {@code service.instance.id} = node id, {@code switchboard.node} = node name, plus
   * OTEL_RESOURCE_ATTRIBUTES; the sampler of {@link #sampler(double)} unless OTEL_TRACES_SAMPLER is set; the OTLP
   * exporter (OTEL_EXPORTER_OTLP_PROTOCOL http/protobuf or grpc) only when an OTLP endpoint or OTEL_TRACES_EXPORTER
   * is set. Registers its counters in {@code registry}.
   */
  public static NodeTracing start(TracingSettings settings, NodeIdentity identity, MeterRegistry registry) {
    NodeTracing t;
    if (!settings.enabled()) {
      t = off();
    } else {
      LongAdder exported = new LongAdder();
      LongAdder dropped = new LongAdder();
      OpenTelemetrySdk sdk;
      try {
        sdk = build(settings, identity, exported, dropped);
      } catch (ConfigurationException e) {
        // an OTEL_* variable the SDK cannot use (an unknown sampler or protocol, a bad number): start-up stops
        throw new ConfigException(ConfigKeys.TRACING_ENABLED, "tracing: an OTEL_* setting is not usable: " + e.getMessage());
      }
      t = new NodeTracing(settings, sdk, exported, dropped);
    }
    t.register(registry);
    return t;
  }

  private static OpenTelemetrySdk build(TracingSettings settings, NodeIdentity identity, LongAdder exported,
      LongAdder dropped) {
    return AutoConfiguredOpenTelemetrySdk.builder()
        .disableShutdownHook()
        .addPropertiesSupplier(NodeTracing::defaults)
        .addPropertiesCustomizer(NodeTracing::noExportWithoutEndpoint)
        .addSamplerCustomizer((configured, cfg) -> cfg.getString("otel.traces.sampler") == null
            ? sampler(settings.sampleRatio()) : configured)
        .addResourceCustomizer((resource, cfg) -> nodeResource(identity).merge(resource))
        .addSpanExporterCustomizer((exporter, cfg) -> new CountingSpanExporter(exporter, exported, dropped))
        // with no exporter the SDK would hand out spans without ids; this processor keeps them (and so trace
        // context for agents, /ws and logs) when nothing is exported
        .addTracerProviderCustomizer((tracerProvider, cfg) -> tracerProvider.addSpanProcessor(new IdsOnlyProcessor()))
        .build()
        .getOpenTelemetrySdk();
  }

  /** The sampler of {@code tracing.sampleRatio}: {@link RatioSampler}. */
  public static Sampler sampler(double ratio) {
    return new RatioSampler(ratio);
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new HashMap<>();
    d.put("otel.service.name", "switchboard");
    // the OpenTelemetry specification's default; the Java SDK's own would be grpc
    d.put("otel.exporter.otlp.protocol", "http/protobuf");
    d.put("otel.metrics.exporter", "none");
    d.put("otel.logs.exporter", "none");
    return d;
  }

  /** Without an OTLP endpoint and without OTEL_TRACES_EXPORTER, nothing is exported (no default localhost:4318). */
  private static Map<String, String> noExportWithoutEndpoint(ConfigProperties cfg) {
    boolean endpoint = cfg.getString("otel.exporter.otlp.endpoint") != null
        || cfg.getString("otel.exporter.otlp.traces.endpoint") != null;
    if (!endpoint && cfg.getString("otel.traces.exporter") == null) {
      return Map.of("otel.traces.exporter", "none");
    }
    return Map.of();
  }

  private static Resource nodeResource(NodeIdentity identity) {
    return Resource.builder()
        .put("service.instance.id", identity.nodeId())
        .put(NODE_ATTRIBUTE, identity.name())
        .put("service.version", identity.version())
        .build();
  }

  private void register(MeterRegistry registry) {
    FunctionCounter.builder("switchboard.tracing.spans.exported", this, t -> t.exported.sum())
        .description("Spans this node's OTLP exporter delivered to the collector")
        .register(registry);
    FunctionCounter.builder("switchboard.tracing.spans.dropped", this, t -> t.dropped.sum())
        .description("Spans lost because their export failed (collector down, refused or too slow)")
        .register(registry);
    FunctionCounter.builder("switchboard.tracing.traceparent.invalid", invalidTraceparents, LongAdder::sum)
        .description("Malformed traceparent values from clients, ignored (the transaction starts a trace of its own)")
        .register(registry);
  }

  public boolean enabled() {
    return settings.enabled();
  }

  /** What Vert.x's tracer uses (HTTP requests, event-bus hops); the no-op when disabled. */
  public OpenTelemetry openTelemetry() {
    return otel;
  }

  /** The SDK when enabled, null when not (Vert.x then gets no tracer at all). */
  public OpenTelemetrySdk sdk() {
    return sdk;
  }

  public Tracer tracer() {
    return tracer;
  }

  /** A span builder for {@code name} of {@code kind}, child of {@code parent} (a root when {@code parent} is null). */
  public SpanBuilder span(String name, SpanKind kind, Context parent) {
    SpanBuilder b = tracer.spanBuilder(name).setSpanKind(kind);
    return parent == null ? b.setNoParent() : b.setParent(parent);
  }

  /**
   * The parent a client asks for with {@code traceparent}: null when absent or malformed; a malformed one is
   * counted ({@code switchboard_tracing_traceparent_invalid_total}) and logged at debug, as W3C Trace Context asks
   * a receiver to ignore it.
   */
  public SpanContext remoteParent(Object traceparent) {
    Traceparent.Parsed p = Traceparent.parse(traceparent);
    if (p.valid()) {
      return p.context();
    }
    if (!p.absent()) {
      invalidTraceparents.increment();
      LOG.debug("traceparent ignored: {}", p.problem());
    }
    return null;
  }

  /** The {@code traceparent} of {@code span} when it carries ids (tracing on), else null. */
  public static String traceparentOf(Span span) {
    SpanContext sc = span.getSpanContext();
    return sc.isValid() ? Traceparent.format(sc) : null;
  }

  /** Flushes what is queued and stops the exporter (a node's stop); at most {@code timeoutMs}. */
  public void close(long timeoutMs) {
    if (sdk == null) {
      return;
    }
    CompletableResultCode done = sdk.shutdown();
    done.join(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
