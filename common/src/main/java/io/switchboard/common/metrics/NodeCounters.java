package io.switchboard.common.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.switchboard.common.haip.ErrorCodes;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The node's own counters: what the hub counts and the node reports. Per node, never per session. Cheap to
 * update from any event loop (LongAdder, HdrHistogram Recorder). Cumulative: {@link #snapshot()} returns totals
 * since the process started and cumulative histograms, so a lost report costs freshness, never exactness.
 * The same numbers back the Prometheus meters (function counters read the adders; the latency, execution-duration
 * and heartbeat histograms are derived from the HdrHistograms at scrape time; the connection-duration timer keeps its
 * own buckets).
 */
public final class NodeCounters {
  /** Execution outcome labels (a fixed set). */
  public static final String[] EXECUTION_STATUSES = {"completed", "failed", "cancelled"};

  private final LongAdder connectionsTotal = new LongAdder();
  private final AtomicLong activeClients = new AtomicLong();
  private final AtomicLong activeAgents = new AtomicLong();
  private final AtomicLong activeMonitors = new AtomicLong();
  private final LongAdder framesReceived = new LongAdder();
  private final LongAdder messagesIn = new LongAdder();
  private final LongAdder messagesOut = new LongAdder();
  private final LongAdder connectionsRefused = new LongAdder();
  private final Map<String, LongAdder> errors = new LinkedHashMap<>();
  private final LongAdder executionsStarted = new LongAdder();
  private final Map<String, LongAdder> executionsEnded = new LinkedHashMap<>();
  private final AtomicLong executionsRunning = new AtomicLong();

  private final Recorder messageLatency = new Recorder(Histograms.DIGITS);
  private final Recorder executionDuration = new Recorder(Histograms.DIGITS);
  private final Recorder heartbeatRtt = new Recorder(Histograms.DIGITS);
  private final Histogram messageLatencyTotal = Histograms.newHistogram();
  private final Histogram executionDurationTotal = Histograms.newHistogram();
  private final Histogram heartbeatRttTotal = Histograms.newHistogram();

  private final Timer connectionDurationTimer;

  public NodeCounters(MeterRegistry registry) {
    this(registry, "");
  }

  /** node: the {@code node} label of meters that bypass Micrometer's common tags (the latency histogram). */
  public NodeCounters(MeterRegistry registry, String node) {
    for (String code : ErrorCodes.ALL) {
      errors.put(code, new LongAdder());
    }
    for (String s : EXECUTION_STATUSES) {
      executionsEnded.put(s, new LongAdder());
    }
    FunctionCounter.builder("switchboard.connections", connectionsTotal, LongAdder::sum)
        .description("WebSocket sessions accepted (HAIP and monitor) since the node started").register(registry);
    FunctionCounter.builder("switchboard.connections.refused", connectionsRefused, LongAdder::sum)
        .description("WebSocket upgrades refused because hub.maxConnections was reached").register(registry);
    Gauge.builder("switchboard.connections.active", this, NodeCounters::activeConnections)
        .description("Open WebSocket sessions (HAIP and monitor)").register(registry);
    Gauge.builder("switchboard.sessions.active", activeClients, AtomicLong::get).tag("role", "client")
        .description("Open HAIP sessions by role").register(registry);
    Gauge.builder("switchboard.sessions.active", activeAgents, AtomicLong::get).tag("role", "agent")
        .description("Open HAIP sessions by role").register(registry);
    Gauge.builder("switchboard.sessions.active", activeMonitors, AtomicLong::get).tag("role", "monitor")
        .description("Open HAIP sessions by role").register(registry);
    FunctionCounter.builder("switchboard.frames.received", framesReceived, LongAdder::sum)
        .description("Inbound WebSocket messages received, valid or not").register(registry);
    FunctionCounter.builder("switchboard.messages", messagesIn, LongAdder::sum).tag("direction", "in")
        .description("HAIP frames accepted (in) and sent (out)").register(registry);
    FunctionCounter.builder("switchboard.messages", messagesOut, LongAdder::sum).tag("direction", "out")
        .description("HAIP frames accepted (in) and sent (out)").register(registry);
    errors.forEach((code, adder) -> FunctionCounter.builder("switchboard.errors", adder, LongAdder::sum)
        .tag("code", code).description("ERROR frames sent and connections closed for a protocol or limit reason, by code")
        .register(registry));
    FunctionCounter.builder("switchboard.tool.executions.started", executionsStarted, LongAdder::sum)
        .description("Tool executions started").register(registry);
    executionsEnded.forEach((status, adder) -> FunctionCounter.builder("switchboard.tool.executions", adder, LongAdder::sum)
        .tag("status", status).description("Tool executions ended, by final status").register(registry));
    Gauge.builder("switchboard.tool.executions.running", executionsRunning, AtomicLong::get)
        .description("Tool executions pending or running on this node").register(registry);
    // Message latency, execution duration and heartbeat RTT are each recorded once, into an HdrHistogram recorder
    // that also feeds the stats service; Prometheus reads histograms derived from them at scrape time.
    if (registry instanceof PrometheusMeterRegistry prom) {
      Labels labels = node.isEmpty() ? Labels.EMPTY : Labels.of("node", node);
      prom.getPrometheusRegistry().register(new HdrHistogramCollector("switchboard_message_latency_seconds",
          "Message handling latency: frame received to reply or forward written", labels, this::messageLatencyCumulative));
      prom.getPrometheusRegistry().register(new HdrHistogramCollector("switchboard_tool_execution_duration_seconds",
          "Tool execution duration, start to terminal state", labels, this::executionDurationCumulative,
          HdrHistogramCollector.EXECUTION_BOUNDS_SECONDS));
      prom.getPrometheusRegistry().register(new HdrHistogramCollector("switchboard_heartbeat_rtt_seconds",
          "WebSocket ping to pong round trip", labels, this::heartbeatRttCumulative));
    }
    connectionDurationTimer = Timer.builder("switchboard.ws.connection.duration")
        .description("How long WebSocket sessions stayed open")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofHours(24))
        .register(registry);
  }

  // ---- writers (hub) ------------------------------------------------------------------------------------

  /** A session opened; role is "client", "agent" or "monitor". Counts as a client until the handshake says agent. */
  public void connectionOpened(String role) {
    connectionsTotal.increment();
    gaugeFor(role).incrementAndGet();
  }

  /** A session's role changed after the handshake (client → agent). */
  public void roleChanged(String from, String to) {
    gaugeFor(from).decrementAndGet();
    gaugeFor(to).incrementAndGet();
  }

  public void connectionClosed(String role, long openMillis) {
    gaugeFor(role).decrementAndGet();
    connectionDurationTimer.record(openMillis, TimeUnit.MILLISECONDS);
  }

  public void connectionRefused() {
    connectionsRefused.increment();
  }

  private AtomicLong gaugeFor(String role) {
    return switch (role) {
      case "agent" -> activeAgents;
      case "monitor" -> activeMonitors;
      default -> activeClients;
    };
  }

  /** Every inbound WebSocket message, valid or not (the error-rate denominator). */
  public void frameReceived() {
    framesReceived.increment();
  }

  /** An inbound frame accepted with a valid envelope. */
  public void messageIn() {
    messagesIn.increment();
  }

  public void messageOut() {
    messagesOut.increment();
  }

  /** An ERROR frame sent, or a connection closed for a protocol or limit reason. */
  public void error(String code) {
    errors.get(ErrorCodes.bounded(code)).increment();
  }

  public void executionStarted() {
    executionsStarted.increment();
    executionsRunning.incrementAndGet();
  }

  /** status: completed, failed or cancelled. */
  public void executionEnded(String status, long durationMicros) {
    LongAdder a = executionsEnded.get(status);
    if (a == null) {
      throw new IllegalArgumentException("unknown execution status " + status);
    }
    a.increment();
    executionsRunning.decrementAndGet();
    long v = Math.max(1, durationMicros);
    executionDuration.recordValue(v);
  }

  public void recordMessageLatencyNanos(long nanos) {
    messageLatency.recordValue(Math.max(1, nanos / 1000));
  }

  /** A copy of the cumulative message-latency histogram (µs) since the node started. */
  public synchronized Histogram messageLatencyCumulative() {
    return drain(messageLatency, messageLatencyTotal).copy();
  }

  public void recordHeartbeatRttNanos(long nanos) {
    long micros = Math.max(1, nanos / 1000);
    heartbeatRtt.recordValue(micros);
  }

  /** A copy of the cumulative execution-duration histogram (µs) since the node started. */
  public synchronized Histogram executionDurationCumulative() {
    return drain(executionDuration, executionDurationTotal).copy();
  }

  /** A copy of the cumulative heartbeat round-trip histogram (µs) since the node started. */
  public synchronized Histogram heartbeatRttCumulative() {
    return drain(heartbeatRtt, heartbeatRttTotal).copy();
  }

  // ---- readers ------------------------------------------------------------------------------------------

  public long activeConnections() {
    return activeClients.get() + activeAgents.get() + activeMonitors.get();
  }

  public long totalConnections() {
    return connectionsTotal.sum();
  }

  public long activeSessions(String role) {
    return gaugeFor(role).get();
  }

  public long messagesInTotal() {
    return messagesIn.sum();
  }

  public long messagesOutTotal() {
    return messagesOut.sum();
  }

  public long errorsTotal() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long errors(String code) {
    return errors.get(ErrorCodes.bounded(code)).sum();
  }

  /**
   * Cumulative counters and histograms since the node started, as JSON:
   * {@code {connectionsTotal, connectionsRefused, framesReceived, messagesIn, messagesOut, errors, errorsByCode:{},
   * executions:{started, completed, failed, cancelled, running}, gauges:{activeConnections, clients, agents, monitors},
   * histograms:{messageLatencyUs, executionDurationUs, heartbeatRttUs}}} (histograms base64, values in microseconds).
   */
  public synchronized JsonObject snapshot() {
    JsonObject byCode = new JsonObject();
    long errTotal = 0;
    for (Map.Entry<String, LongAdder> e : errors.entrySet()) {
      long v = e.getValue().sum();
      errTotal += v;
      if (v > 0) {
        byCode.put(e.getKey(), v);
      }
    }
    JsonObject executions = new JsonObject().put("started", executionsStarted.sum());
    executionsEnded.forEach((s, a) -> executions.put(s, a.sum()));
    executions.put("running", executionsRunning.get());
    return new JsonObject()
        .put("connectionsTotal", connectionsTotal.sum())
        .put("connectionsRefused", connectionsRefused.sum())
        .put("framesReceived", framesReceived.sum())
        .put("messagesIn", messagesIn.sum())
        .put("messagesOut", messagesOut.sum())
        .put("errors", errTotal)
        .put("errorsByCode", byCode)
        .put("executions", executions)
        .put("gauges", new JsonObject()
            .put("activeConnections", activeConnections())
            .put("clients", activeClients.get())
            .put("agents", activeAgents.get())
            .put("monitors", activeMonitors.get()))
        .put("histograms", new JsonObject()
            .put("messageLatencyUs", Histograms.encode(drain(messageLatency, messageLatencyTotal)))
            .put("executionDurationUs", Histograms.encode(drain(executionDuration, executionDurationTotal)))
            .put("heartbeatRttUs", Histograms.encode(drain(heartbeatRtt, heartbeatRttTotal))));
  }

  private Histogram drain(Recorder recorder, Histogram total) {
    total.add(recorder.getIntervalHistogram());
    return total;
  }
}
