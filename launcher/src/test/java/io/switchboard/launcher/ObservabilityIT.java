package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Metrics and logs of a real node process: promtool accepts /metrics; every log line is masked JSON. */
class ObservabilityIT {
  static NodeProcess node;

  @BeforeAll
  static void start() throws Exception {
    int port = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env("sb-obs-" + UUID.randomUUID().toString().substring(0, 8),
        TestNodes.freePortRange(4), "obs", port);
    env.put("SWITCHBOARD_LOG_LEVEL", "info,io.switchboard.access=debug,com.hazelcast=info");
    node = NodeProcess.start("obs", port, env);
    node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String promtool() {
    for (String p : List.of("/usr/bin/promtool", "/usr/local/bin/promtool")) {
      if (new File(p).canExecute()) {
        return p;
      }
    }
    return null;
  }

  @Test
  void promtoolAcceptsTheMetrics() throws Exception {
    String tool = promtool();
    if (tool == null) {
      fail("promtool is not installed: apt-get install prometheus (.ci/run does this)");
    }
    NodeProcess.Response r = node.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    Process p = new ProcessBuilder(tool, "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(r.body().getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics said:\n" + out).isZero();
  }

  @Test
  void metricsCoverJvmProcessVertxAndBuildInfoWithANodeLabelOnEverySeries() {
    String text = node.get("/metrics").body();
    assertThat(text).contains("switchboard_build_info{").contains("jvm_memory_used_bytes").contains("jvm_gc_")
        .contains("jvm_threads_live_threads").contains("process_cpu_usage").contains("process_files_open_files").contains("process_cpu_seconds_total")
        .contains("process_resident_memory_bytes").contains("vertx_http_server_").contains("switchboard_connections_active");
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      assertThat(line).as("series without node label").contains("node=\"obs\"");
    }
    JsonObject json = node.json("/metrics/json");
    assertThat(json.getJsonArray("meters")).isNotEmpty();
  }

  @Test
  void logsAreMaskedJsonLinesIncludingLibraries() {
    HttpRequest req = HttpRequest.newBuilder(URI.create(node.url("/health?session=s1&token=qs-secret-1")))
        .header("Authorization", "Bearer hdr-secret-2").header("x-haip-session", "sess-42").GET().build();
    assertThat(node.request(req).status()).isEqualTo(200);
    Await.waitFor(Duration.ofSeconds(5), () -> node.output().contains("sess-42"), "no access log line for the request");
    String out = node.output();
    assertThat(out).doesNotContain("qs-secret-1").doesNotContain("hdr-secret-2");
    boolean sawHazelcast = false;
    boolean sawAccess = false;
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject j;
      try {
        j = new JsonObject(line);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON line: " + line);
      }
      assertThat(j.fieldNames()).contains("timestamp", "level", "logger", "message", "node", "thread");
      assertThat(j.getString("node")).isEqualTo("obs");
      sawHazelcast |= j.getString("logger").startsWith("com.hazelcast");
      if ("io.switchboard.access".equals(j.getString("logger")) && "sess-42".equals(j.getString("session"))) {
        sawAccess = true;
        assertThat(j.getString("method")).isEqualTo("GET");
        assertThat(j.getString("path")).startsWith("/health?session=s1&token=****");
        assertThat(j.getInteger("status")).isEqualTo(200);
        assertThat(j.getLong("bytes")).isPositive();
        assertThat(j.getValue("durationMs")).isNotNull();
        assertThat(j.getString("remote")).isEqualTo("127.0.0.1");
      }
    }
    assertThat(sawHazelcast).as("Hazelcast logs as JSON through the same appender").isTrue();
    assertThat(sawAccess).as("access log line with method, path, status, bytes, duration, remote, session").isTrue();
  }

  @Test
  void configIsShownWithSecretsMasked() throws Exception {
    JsonObject cfg = node.json("/config");
    assertThat(cfg.getJsonObject("http").getInteger("port")).isEqualTo(node.httpPort);
    assertThat(cfg.getJsonArray("services").getList()).containsExactly("hub", "stats", "alert");
  }

  @Test
  void textFormatIsPlainAndMasked() throws Exception {
    int port = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env("unused", 5701, "txt", port);
    env.put("SWITCHBOARD_CLUSTER_MODE", "none");
    env.put("SWITCHBOARD_LOG_FORMAT", "text");
    env.put("SWITCHBOARD_LOG_LEVEL", "info,io.switchboard.access=debug");
    try (NodeProcess n = NodeProcess.start("txt", port, env)) {
      n.awaitReady(Duration.ofSeconds(60));
      n.request(HttpRequest.newBuilder(URI.create(n.url("/health?password=pw-secret-3"))).GET().build());
      Await.waitFor(Duration.ofSeconds(5), () -> n.output().contains("/health?password="), "no access line");
      String out = n.output();
      assertThat(out).doesNotContain("pw-secret-3").contains("node=txt");
      assertThat(out.lines().filter(l -> l.contains("io.switchboard.access")).findFirst().orElseThrow()).doesNotStartWith("{");
    }
  }
}
