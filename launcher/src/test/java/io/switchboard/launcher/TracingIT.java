package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tracing across two real node processes (docs/operations.md, Tracing), with an OTLP/HTTP receiver in the test that
 * decodes what the nodes export: a client on A, an agent on B, a client-supplied traceparent. Then a node at
 * {@code tracing.sampleRatio} 0 exports nothing, and a node whose collector is down serves as before and counts the
 * spans it drops.
 */
class TracingIT {
  static final String CLUSTER = "sb-trace-" + UUID.randomUUID().toString().substring(0, 8);
  static final HexFormat HEX = HexFormat.of();
  static final SecureRandom RANDOM = new SecureRandom();
  static Vertx vertx;
  static HttpServer receiver;
  static final List<Received> spans = new CopyOnWriteArrayList<>();

  /** One span as the receiver decoded it, with the name of the node that sent it. */
  record Received(String node, String traceId, String spanId, String parentSpanId, String name,
      Span span) {}

  @BeforeAll
  static void startReceiver() {
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      if (!"/v1/traces".equals(req.path())) {
        req.response().setStatusCode(404).end();
        return;
      }
      try {
        ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
        for (ResourceSpans rs : export.getResourceSpansList()) {
          String node = attribute(rs.getResource(), "switchboard.node");
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span s : ss.getSpansList()) {
              spans.add(new Received(node, HEX.formatHex(s.getTraceId().toByteArray()),
                  HEX.formatHex(s.getSpanId().toByteArray()), HEX.formatHex(s.getParentSpanId().toByteArray()),
                  s.getName(), s));
            }
          }
        }
        req.response().putHeader("content-type", "application/x-protobuf")
            .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
      } catch (IOException e) {
        req.response().setStatusCode(400).end();
      }
    }));
    Await.await(receiver.listen(TestNodes.freePort(), "127.0.0.1"));
  }

  @AfterAll
  static void stopReceiver() {
    if (vertx != null) {
      Await.await(vertx.close());
    }
  }

  private static String attribute(Resource r, String key) {
    for (KeyValue kv : r.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        AnyValue v = kv.getValue();
        return v.getStringValue();
      }
    }
    return null;
  }

  private static Map<String, String> tracedEnv(String cluster, int clusterPort, String name, int port, String ratio) {
    Map<String, String> env = NodeProcess.env(cluster, clusterPort, name, port);
    env.put("SWITCHBOARD_TRACING_SAMPLE_RATIO", ratio);
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.actualPort());
    // no OTEL_EXPORTER_OTLP_PROTOCOL: the node's default is http/protobuf
    env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
    return env;
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    b[0] |= 1;
    return HEX.formatHex(b);
  }

  @Test
  void aToolCallFromAToBIsOneTraceRootedAtTheClientsSpanAndItsIdIsInBothNodesLogs() throws Exception {
    int clusterPort = TestNodes.freePortRange(8);
    int pa = TestNodes.freePort();
    int pb = TestNodes.freePort();
    Map<String, String> envB = tracedEnv(CLUSTER, clusterPort, "trace-b", pb, "1.0");
    envB.put("SWITCHBOARD_SERVICES", "hub");
    try (NodeProcess a = NodeProcess.start("trace-a", pa, tracedEnv(CLUSTER, clusterPort, "trace-a", pa, "1.0"));
        NodeProcess b = NodeProcess.start("trace-b", pb, envB)) {
      a.awaitReady(Duration.ofSeconds(90));
      b.awaitReady(Duration.ofSeconds(90));
      Await.waitFor(Duration.ofSeconds(30), () -> a.clusterSize() == 2 && b.clusterSize() == 2, "a and b never met");
      try (HaipClient agent = HaipClient.connect(b.httpPort).agent("trace.tool");
          HaipClient client = HaipClient.connect(a.httpPort).handshake(null)) {
        Await.waitFor(Duration.ofSeconds(30), () -> HaipClient.toolListed(a.httpPort, "trace.tool"),
            "A never listed B's tool");
        String traceId = randomHex(16);
        String clientSpan = randomHex(8);
        String ref = UUID.randomUUID().toString();
        client.send(client.frame("TRANSACTION_START", ref, new JsonObject().put("toolName", "trace.tool")
            .put("params", "hello").put("traceparent", "00-" + traceId + "-" + clientSpan + "-01"), "USER"));
        JsonObject started = client.await(f -> "TRANSACTION_START".equals(f.getString("type"))
            && f.getJsonObject("payload") != null && ref.equals(f.getJsonObject("payload").getString("referenceId")),
            Duration.ofSeconds(15), "TRANSACTION_START answer");
        String tx = started.getString("transaction");
        assertThat(started.getJsonObject("payload").getString("traceparent")).startsWith("00-" + traceId + "-");

        JsonObject atAgent = agent.await("TRANSACTION_START", Duration.ofSeconds(15));
        String agentParent = atAgent.getJsonObject("payload").getString("traceparent");
        assertThat(agentParent).matches("00-" + traceId + "-[0-9a-f]{16}-01");
        client.end(tx);
        agent.await("TRANSACTION_END", Duration.ofSeconds(15));

        // every span of the trace: the transaction on A, the hop, the handling and the delivery on B
        Await.waitFor(Duration.ofSeconds(30), () -> names(traceId).containsAll(Set.of("haip.transaction trace.tool",
            "haip.provide trace.tool", "haip.deliver TRANSACTION_START")), () -> "spans of the trace: " + names(traceId));
        List<Received> trace = trace(traceId);
        assertThat(trace.stream().map(Received::node).collect(Collectors.toSet())).containsExactlyInAnyOrder("trace-a", "trace-b");
        Received txSpan = one(trace, "haip.transaction trace.tool");
        assertThat(txSpan.node()).isEqualTo("trace-a");
        assertThat(txSpan.parentSpanId()).isEqualTo(clientSpan);
        assertThat(stringAttr(txSpan, "haip.tool")).isEqualTo("trace.tool");
        assertThat(stringAttr(txSpan, "haip.transaction.id")).isEqualTo(tx);
        assertThat(stringAttr(txSpan, "haip.session.id")).isEqualTo(client.session());
        Received provide = one(trace, "haip.provide trace.tool");
        assertThat(provide.node()).isEqualTo("trace-b");
        assertThat(stringAttr(provide, "haip.session.id")).isEqualTo(agent.session());
        Received deliver = one(trace, "haip.deliver TRANSACTION_START");
        assertThat(deliver.parentSpanId()).isEqualTo(provide.spanId());
        assertThat(agentParent).isEqualTo("00-" + traceId + "-" + provide.spanId() + "-01");
        // parent links: every span's chain of parents reaches the client's span, through the transaction's span
        for (Received s : trace) {
          List<String> chain = chain(trace, s, clientSpan);
          assertThat(chain).as("parents of %s on %s", s.name(), s.node()).endsWith(clientSpan);
          if (s != txSpan) {
            assertThat(chain).as("parents of %s", s.name()).contains(txSpan.spanId());
          }
        }
        // the provider's handling hangs under the event-bus hop that crossed from A to B
        Received hop = byId(trace, provide.parentSpanId());
        assertThat(hop).as("the parent of the provider's span").isNotNull();
        assertThat(hop.node()).isEqualTo("trace-b");
        assertThat(hop.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        Received send = byId(trace, hop.parentSpanId());
        assertThat(send.node()).isEqualTo("trace-a");

        // an HTTP API request is a trace of its own, with the stats query it asks for inside it
        assertThat(a.get("/stats").status()).isEqualTo(200);
        Await.waitFor(Duration.ofSeconds(30), () -> spans.stream().anyMatch(s -> s.name().equals("stats.query cluster")
            && trace(s.traceId()).stream().anyMatch(h -> h.name().startsWith("GET") && h.parentSpanId().isEmpty())),
            () -> "no stats query under an HTTP request: " + spans.stream().map(Received::name).distinct().toList());
        // alert evaluations are short traces of their own
        Await.waitFor(Duration.ofSeconds(30), () -> spans.stream().anyMatch(s -> s.name().equals("alert.evaluate")
            && s.parentSpanId().isEmpty() && "trace-a".equals(s.node())), "no alert evaluation span from A");

        Await.waitFor(Duration.ofSeconds(15), () -> logHasTrace(a, traceId) && logHasTrace(b, traceId),
            () -> "trace id " + traceId + " in the logs: a=" + logHasTrace(a, traceId) + " b=" + logHasTrace(b, traceId));
      }
    }
  }

  @Test
  void atRatioZeroNothingIsExportedAndWithTheCollectorDownTheNodeServesAndCountsDroppedSpans() throws Exception {
    int p0 = TestNodes.freePort();
    Map<String, String> zero = tracedEnv("unused", 0, "trace-zero", p0, "0");
    zero.put("SWITCHBOARD_CLUSTER_MODE", "none");
    zero.remove("SWITCHBOARD_CLUSTER_PORT");
    int pd = TestNodes.freePort();
    Map<String, String> down = tracedEnv("unused", 0, "trace-down", pd, "1.0");
    down.put("SWITCHBOARD_CLUSTER_MODE", "none");
    down.remove("SWITCHBOARD_CLUSTER_PORT");
    // gRPC this time, to a port where nothing listens
    down.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + TestNodes.freePort());
    down.put("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    down.put("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
    try (NodeProcess z = NodeProcess.start("trace-zero", p0, zero);
        NodeProcess d = NodeProcess.start("trace-down", pd, down)) {
      z.awaitReady(Duration.ofSeconds(90));
      d.awaitReady(Duration.ofSeconds(90));
      String traceId = randomHex(16);
      for (NodeProcess n : List.of(z, d)) {
        try (HaipClient c = HaipClient.connect(n.httpPort).handshake(null)) {
          for (int i = 0; i < 5; i++) {
            String ref = UUID.randomUUID().toString();
            c.send(c.frame("TRANSACTION_START", ref, new JsonObject().put("toolName", "echo")
                .put("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01"), "USER"));
            JsonObject started = c.await(f -> "TRANSACTION_START".equals(f.getString("type"))
                && f.getJsonObject("payload") != null && ref.equals(f.getJsonObject("payload").getString("referenceId")),
                Duration.ofSeconds(15), "TRANSACTION_START answer");
            String tx = started.getString("transaction");
            assertThat(c.echo(tx, "ping " + i).getValue("payload")).isEqualTo("ping " + i);
            c.end(tx);
          }
        }
        assertThat(n.get("/stats").status()).isEqualTo(200);
      }
      // the collector is down: the node served every call above, and counts the spans it could not deliver
      Await.waitFor(Duration.ofSeconds(60), () -> metric(d, "switchboard_tracing_spans_dropped_total") > 0,
          () -> "no dropped spans counted:\n" + d.get("/metrics").body().lines()
              .filter(l -> l.contains("tracing")).collect(Collectors.joining("\n")));
      assertThat(d.get("/health/ready").status()).isEqualTo(200);
      assertThat(metric(d, "switchboard_tracing_spans_exported_total")).isZero();
      // ratio 0: after a graceful stop (which flushes what is queued) the receiver got nothing from that node
      assertThat(z.stopGracefully(Duration.ofSeconds(30))).isIn(0, 143);
      assertThat(spans.stream().filter(s -> "trace-zero".equals(s.node())).map(Received::name).toList()).isEmpty();
      assertThat(trace(traceId)).isEmpty();
      // while its trace ids still reached the logs
      assertThat(logHasTrace(z, traceId)).isTrue();
    }
  }

  private static double metric(NodeProcess n, String name) {
    double sum = 0;
    for (String line : n.get("/metrics").body().lines().toList()) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static boolean logHasTrace(NodeProcess n, String traceId) {
    try {
      Pattern p = Pattern.compile("\"trace_id\":\"" + traceId + "\"");
      Matcher m = p.matcher(Files.readString(n.output));
      return m.find();
    } catch (IOException e) {
      return false;
    }
  }

  private static List<Received> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  private static Set<String> names(String traceId) {
    return trace(traceId).stream().map(Received::name).collect(Collectors.toSet());
  }

  private static Received one(List<Received> trace, String name) {
    List<Received> found = trace.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(found).as("spans named %s", name).hasSize(1);
    return found.get(0);
  }

  private static Received byId(List<Received> trace, String spanId) {
    return trace.stream().filter(s -> s.spanId().equals(spanId)).findFirst().orElse(null);
  }

  /** The span ids from {@code s}'s parent up, until a parent that is not in the trace (the root's parent). */
  private static List<String> chain(List<Received> trace, Received s, String stopAt) {
    List<String> out = new ArrayList<>();
    Received at = s;
    while (at != null && out.size() < 50) {
      String parent = at.parentSpanId();
      out.add(parent);
      if (parent.equals(stopAt) || parent.isEmpty()) {
        break;
      }
      at = byId(trace, parent);
    }
    return out;
  }

  private static String stringAttr(Received s, String key) {
    for (KeyValue kv : s.span().getAttributesList()) {
      if (kv.getKey().equals(key)) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }
}
