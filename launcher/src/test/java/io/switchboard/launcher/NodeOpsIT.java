package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Operating a real node process: every WebSocket upgrade (/haip, /ws, /eventbus/websocket) has exactly one access
 * line with status 101 (and the HAIP session id); cookies and client-string secrets stay out of the log; POST
 * /admin/profile answers a JFR recording and refuses a second at the same time.
 */
class NodeOpsIT {
  static final int N = 4;
  static NodeProcess node;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void start() throws Exception {
    int port = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env("unused", 5701, "ops", port);
    env.put("SWITCHBOARD_CLUSTER_MODE", "none");
    env.put("SWITCHBOARD_LOG_LEVEL", "info,io.switchboard.access=debug,io.switchboard.hub=debug");
    env.put("SWITCHBOARD_ADMIN_PROFILING_ENABLED", "true");
    env.put("SWITCHBOARD_ADMIN_PROFILING_MAX_SECONDS", "10");
    node = NodeProcess.start("ops", port, env);
    node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void everyUpgradeHasOneAccessLineWithStatus101() throws Exception {
    List<HaipClient> haip = new ArrayList<>();
    List<WebSocket> others = new ArrayList<>();
    List<CompletableFuture<Integer>> closes = new ArrayList<>();
    Set<String> sessions = new HashSet<>();
    try {
      for (int i = 0; i < N; i++) {
        HaipClient c = HaipClient.connect(node.httpPort);
        c.handshake(new JsonObject().put("platform", "itest-sdk/1.0 token=platform-secret-" + i));
        sessions.add(c.session());
        haip.add(c);
        for (String path : List.of("/ws", "/eventbus/websocket")) {
          CompletableFuture<Integer> closed = new CompletableFuture<>();
          others.add(TextWebSocket.open(node.httpPort, path, t -> { }, closed));
          closes.add(closed);
        }
      }
      // refused upgrades get the line of their HTTP answer, not a 101
      HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create(node.url("/haip"))).GET()
          .header("Cookie", "sid=cookie-secret-1; theme=cookie-secret-2").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(400);
      Await.waitFor(Duration.ofSeconds(10), () -> accessLines("/eventbus/websocket", 101).size() == N
          && accessLines("/ws", 101).size() == N && accessLines("/haip", 101).size() == N,
          () -> "not every upgrade logged:\n" + node.tail());
    } finally {
      haip.forEach(HaipClient::close);
      for (WebSocket w : others) {
        w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
      }
    }
    for (CompletableFuture<Integer> c : closes) {
      c.get(10, TimeUnit.SECONDS);
    }
    // every socket closed, and the node logged a later request: no second line for any upgrade
    String marker = UUID.randomUUID().toString();
    assertThat(node.get("/health?marker=" + marker).status()).isEqualTo(200);
    Await.waitFor(Duration.ofSeconds(10), () -> node.output().contains(marker), "no access line for the marker");
    List<JsonObject> haipLines = accessLines("/haip", null);
    assertThat(haipLines.stream().filter(j -> j.getInteger("status") == 101)).hasSize(N);
    assertThat(haipLines.stream().filter(j -> j.getInteger("status") == 400)).hasSize(1);
    assertThat(haipLines).hasSize(N + 1);
    assertThat(accessLines("/ws", null)).hasSize(N).allMatch(j -> j.getInteger("status") == 101);
    assertThat(accessLines("/eventbus/websocket", null)).hasSize(N).allMatch(j -> j.getInteger("status") == 101);
    // the HAIP lines name the sessions the server gave the clients
    Set<String> logged = new HashSet<>();
    haipLines.stream().filter(j -> j.getInteger("status") == 101).forEach(j -> logged.add(j.getString("session")));
    assertThat(logged).isEqualTo(sessions);
    String out = node.output();
    assertThat(out).doesNotContain("cookie-secret").doesNotContain("platform-secret").contains("sid=****");
  }

  @Test
  void aProfileIsAJfrRecordingAndASecondAtTheSameTimeGets409() throws Exception {
    CompletableFuture<HttpResponse<Path>> first = http.sendAsync(
        HttpRequest.newBuilder(URI.create(node.url("/admin/profile?seconds=3"))).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofFile(Files.createTempFile("profile-", ".jfr")));
    Await.waitFor(Duration.ofSeconds(20), () -> node.output().contains("recording a 3 s profile"), "the recording did not start");
    HttpResponse<String> second = http.send(HttpRequest.newBuilder(URI.create(node.url("/admin/profile?seconds=1")))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(first).isNotDone();
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(second.body()).getJsonObject("error").getString("code")).isEqualTo("PROFILE_RUNNING");
    // keep the node's threads running Java code while it records: an idle node on a busy machine can go the whole
    // recording without a thread on a CPU, and so without a single execution sample
    while (!first.isDone()) {
      assertThat(node.get("/metrics").status()).isEqualTo(200);
    }

    HttpResponse<Path> r = first.get(60, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("application/octet-stream");
    List<RecordedEvent> events = RecordingFile.readAllEvents(r.body());
    Set<String> kinds = new HashSet<>();
    events.forEach(e -> kinds.add(e.getEventType().getName()));
    assertThat(kinds).as("the kinds of event recorded").contains("jdk.ExecutionSample");
    Files.deleteIfExists(r.body());
    // the recording ended: the next one is accepted
    HttpResponse<byte[]> again = http.send(HttpRequest.newBuilder(URI.create(node.url("/admin/profile?seconds=1")))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(again.statusCode()).isEqualTo(200);
  }

  @Test
  void runtimeMetricsAreExported() {
    String text = node.get("/metrics").body();
    assertThat(text).contains("switchboard_eventloop_delay_seconds_count{loop=\"0\",node=\"ops\"}")
        .contains("switchboard_eventloop_delay_seconds_max{loop=\"0\",node=\"ops\"}")
        .contains("switchboard_blocked_thread_warnings_total{node=\"ops\",pool=\"eventloop\"}");
  }

  /** The node's access lines for exactly this path, of this status (any when null). */
  private static List<JsonObject> accessLines(String path, Integer status) {
    List<JsonObject> out = new ArrayList<>();
    for (String line : node.output().split("\n")) {
      if (!line.startsWith("{") || !line.contains("io.switchboard.access")) {
        continue;
      }
      JsonObject j = new JsonObject(line);
      if ("io.switchboard.access".equals(j.getString("logger")) && path.equals(j.getString("path"))
          && j.getValue("bytes") != null && (status == null || status.equals(j.getInteger("status")))) {
        out.add(j);
      }
    }
    return out;
  }
}
