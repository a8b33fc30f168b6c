package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line (docs/operations.md, "Command line") as an operator runs it: {@code java -jar switchboard.jar
 * COMMAND} as its own process, against one real node process shared by every test. Each test checks exit codes
 * (0 ok, 1 unhealthy or not found, 2 usage or configuration error, 3 no node) and the {@code -o json} shapes;
 * {@code alerts --follow} prints the transitions that a real HAIP session makes happen.
 */
class CliIT {
  /** Generous: on a busy 2-core machine a node's start alone has taken over a minute. */
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** One CLI run: a JVM start and one request, slow only on a busy machine. */
  private static final Duration RUN = Duration.ofSeconds(90);
  private static final String RULE = "CliProbe";
  /** A CLI process is small: a small heap, serial GC, C1 only, as for the test nodes. */
  private static final List<String> CLI_JVM = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private static NodeProcess node;
  private static String url;

  @BeforeAll
  static void startNode() throws IOException {
    String cluster = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    int clusterPort = TestNodes.freePortRange(8);
    int port = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env(cluster, clusterPort, "cli-node", port);
    env.put("SWITCHBOARD_ALERT_RULES", new JsonArray().add(new JsonObject().put("name", RULE)
        .put("expr", "clientsConnected").put("op", ">").put("threshold", 0).put("severity", "info")).encode());
    node = NodeProcess.start("cli-node", port, env);
    node.awaitReady(START);
    url = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void healthOfTheNodeAndOfTheCluster() {
    Run ready = cli("health", "--url", url);
    assertThat(ready.code()).as(ready.toString()).isZero();
    assertThat(ready.out()).contains("CHECK").contains("eventBus").contains("UP");

    Run cluster = cli("health", "--cluster", "-o", "json", "--url", url);
    assertThat(cluster.code()).as(cluster.toString()).isZero();
    JsonObject view = new JsonObject(cluster.out());
    assertThat(view.getString("status")).isIn("UP", "DEGRADED");
    assertThat(view.getInteger("members")).isEqualTo(1);
    assertThat(view.getJsonArray("nodes").getJsonObject(0).getString("name")).isEqualTo("cli-node");
  }

  @Test
  void noNodeAtTheUrlIsExitThreeAndSaysWhatToDo() throws IOException {
    String nowhere = "http://127.0.0.1:" + TestNodes.freePort();
    Run r = cli("health", "--url", nowhere);
    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.err()).contains("no node answers at " + nowhere).contains("java -jar switchboard.jar").contains("--url");
    Run env = cli(Map.of("SWITCHBOARD_URL", nowhere), "stats");
    assertThat(env.code()).as(env.toString()).isEqualTo(3);
    assertThat(env.err()).contains(nowhere);
    Run follow = cli("alerts", "--follow", "--url", nowhere);
    assertThat(follow.code()).as(follow.toString()).isEqualTo(3);
  }

  @Test
  void badOptionsAreExitTwo() {
    Run unknown = cli("stats", "--bogus", "--url", url);
    assertThat(unknown.code()).as(unknown.toString()).isEqualTo(2);
    assertThat(unknown.err()).contains("--bogus").contains("stats --help");
    Run format = cli("health", "-o", "xml", "--url", url);
    assertThat(format.code()).as(format.toString()).isEqualTo(2);
    Run limit = cli("clients", "--limit", "0", "--url", url);
    assertThat(limit.code()).as(limit.toString()).isEqualTo(2);
    assertThat(limit.err()).contains("--limit");
  }

  @Test
  void statsOfTheClusterAndOfOneNode() {
    Run env = cli(Map.of("SWITCHBOARD_URL", url), "stats", "-o", "json");
    assertThat(env.code()).as(env.toString()).isZero();
    JsonObject stats = new JsonObject(env.out());
    assertThat(stats.getInteger("nodesUp")).isEqualTo(1);
    assertThat(stats.getJsonArray("perNode").getJsonObject(0).getString("name")).isEqualTo("cli-node");
    String nodeId = stats.getJsonArray("perNode").getJsonObject(0).getString("nodeId");

    Run byName = cli("stats", "--node", "cli-node", "-o", "json", "--url", url);
    assertThat(byName.code()).as(byName.toString()).isZero();
    assertThat(new JsonObject(byName.out()).getString("nodeId")).isEqualTo(nodeId);
    Run byId = cli("stats", "--node", nodeId, "--url", url);
    assertThat(byId.code()).as(byId.toString()).isZero();
    assertThat(byId.out()).contains("cli-node").contains(nodeId);

    Run missing = cli("stats", "--node", "no-such-node", "--url", url);
    assertThat(missing.code()).as(missing.toString()).isEqualTo(1);
    assertThat(missing.err()).contains("no node 'no-such-node'");

    Run table = cli("stats", "--url", url);
    assertThat(table.code()).as(table.toString()).isZero();
    assertThat(table.out()).contains("STAT").contains("cli-node");
  }

  @Test
  void statsWatchRedrawsEveryInterval() throws IOException {
    try (Stream watch = Stream.start("stats", "--watch", "--interval", "500ms", "-o", "json", "--url", url)) {
      Await.waitFor(WAIT, () -> watch.lines.stream().filter(l -> l.startsWith("{")).count() >= 3,
          () -> "three views: " + watch);
      for (String l : watch.lines) {
        assertThat(new JsonObject(l).getInteger("nodesUp")).isEqualTo(1);
      }
      assertThat(watch.process.isAlive()).as("--watch runs until stopped").isTrue();
    }
  }

  @Test
  void clientsListsTheHaipSessions() {
    try (HaipClient haip = HaipClient.connect(node.httpPort)) {
      haip.handshake(null);
      Await.waitFor(WAIT, () -> node.json("/api/clients?type=client").getInteger("total") >= 1,
          () -> "the session is listed: " + node.get("/api/clients").body());
      Run r = cli("clients", "--type", "client", "--limit", "5", "-o", "json", "--url", url);
      assertThat(r.code()).as(r.toString()).isZero();
      JsonObject page = new JsonObject(r.out());
      assertThat(page.getInteger("limit")).isEqualTo(5);
      JsonObject c = page.getJsonArray("clients").getJsonObject(0);
      assertThat(c.getString("type")).isEqualTo("client");
      assertThat(c.getString("node")).isNotBlank();
      Run table = cli("clients", "--url", url);
      assertThat(table.code()).as(table.toString()).isZero();
      assertThat(table.out()).contains("CLIENT_ID").contains("sessions");
      Run agents = cli("clients", "--type", "agent", "-o", "json", "--url", url);
      assertThat(new JsonObject(agents.out()).getJsonArray("clients")).isEmpty();
    }
  }

  @Test
  void metricsFilteredByName() {
    Run r = cli("metrics", "--filter", "^switchboard_sessions_active$", "-o", "json", "--url", url);
    assertThat(r.code()).as(r.toString()).isZero();
    JsonArray samples = new JsonObject(r.out()).getJsonArray("samples");
    assertThat(samples).isNotEmpty();
    for (int i = 0; i < samples.size(); i++) {
      JsonObject s = samples.getJsonObject(i);
      assertThat(s.getString("name")).isEqualTo("switchboard_sessions_active");
      assertThat(s.getJsonObject("labels").getString("node")).isEqualTo("cli-node");
      assertThat(s.getValue("value")).isInstanceOf(Number.class);
    }
    Run table = cli("metrics", "--filter", "sessions_active", "--url", url);
    assertThat(table.out()).contains("METRIC").contains("role=\"agent\"").doesNotContain("jvm_");
    Run bad = cli("metrics", "--filter", "(", "--url", url);
    assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).contains("--filter");
  }

  @Test
  void silencesAddListExpire() {
    Run add = cli("silences", "add", "--matcher", "alertname=NothingHere", "--matcher", "node=~cli-.*", "--for", "1h",
        "--comment", "cli test", "--token", "not-shown", "-o", "json", "--url", url);
    assertThat(add.code()).as(add.toString()).isZero();
    JsonObject silence = new JsonObject(add.out());
    String id = silence.getString("id");
    assertThat(silence.getJsonArray("matchers").getJsonObject(1).getBoolean("isRegex")).isTrue();
    assertThat(add.out() + add.err()).doesNotContain("not-shown");

    Run list = cli("silences", "list", "-o", "json", "--url", url);
    assertThat(list.code()).as(list.toString()).isZero();
    assertThat(new JsonObject(list.out()).getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")))
        .contains(id);
    Run table = cli("silences", "--url", url);
    assertThat(table.out()).contains(id).contains("alertname=NothingHere,node=~cli-.*").contains("cli test");

    Run expire = cli("silences", "expire", id, "--url", url);
    assertThat(expire.code()).as(expire.toString()).isZero();
    Run again = cli("silences", "expire", id, "--url", url);
    assertThat(again.code()).as(again.toString()).isEqualTo(1);
    assertThat(again.err()).contains(id).contains("silences list");

    Run refused = cli("silences", "add", "--matcher", "node=~(a)\\1", "--for", "1h", "--url", url);
    assertThat(refused.code()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err()).contains("matchers[0].value");
  }

  @Test
  void alertsFollowPrintsTheTransitionsHaipTrafficCauses() throws IOException {
    Await.waitFor(WAIT, () -> !node.get("/alerts").body().contains(RULE), () -> "no " + RULE + " firing: "
        + node.get("/alerts").body());
    try (Stream follow = Stream.start("alerts", "--follow", "--url", url)) {
      follow.await(l -> l.contains("following transitions"), "the snapshot");
      try (HaipClient haip = HaipClient.connect(node.httpPort)) {
        haip.handshake(null);
        follow.await(l -> l.contains("firing " + RULE), RULE + " fires");
        assertThat(follow.lines).anySatisfy(l -> assertThat(l).matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ firing " + RULE + " severity=info value=\\d+ threshold=0( .*)?"));
        Run active = cli("alerts", "-o", "json", "--url", url);
        assertThat(active.code()).as(active.toString()).isZero();
        JsonObject first = new JsonObject(active.out()).getJsonArray("items").getJsonObject(0);
        assertThat(first.getString("rule")).isEqualTo(RULE);
        assertThat(first.getString("state")).isEqualTo("firing");
        assertThat(first.getDouble("value")).isGreaterThanOrEqualTo(1.0);
      }
      follow.await(l -> l.contains("resolved " + RULE), RULE + " resolves once the session closed");
      assertThat(follow.process.isAlive()).as("--follow runs until stopped").isTrue();
    }
    Run history = cli("alerts", "--history", "-o", "json", "--url", url);
    assertThat(history.code()).as(history.toString()).isZero();
    assertThat(new JsonObject(history.out()).getJsonArray("items").getJsonObject(0).getString("rule")).isEqualTo(RULE);
    Run table = cli("alerts", "--history", "--url", url);
    assertThat(table.out()).contains("RULE").contains(RULE).contains("resolved");
  }

  @Test
  void rulesCheckValidatesAsStartUpDoes(@TempDir Path dir) throws IOException {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, """
        alert:
          rules:
            - name: AgentsGone
              expr: agentsConnected
              op: "<"
              threshold: 1
              for: 30s
          sinks:
            - type: webhook
              url: http://127.0.0.1:9/hook
        """);
    Run ok = cli("rules", "check", good.toString(), "-o", "json");
    assertThat(ok.code()).as(ok.toString()).isZero();
    JsonObject checked = new JsonObject(ok.out());
    assertThat(checked.getBoolean("valid")).isTrue();
    assertThat(checked.getJsonArray("rules").getJsonObject(0).getString("name")).isEqualTo("AgentsGone");
    assertThat(checked.getJsonArray("rules").getJsonObject(0).getLong("for")).isEqualTo(30_000L);
    assertThat(checked.getJsonArray("sinks").getJsonObject(0).getString("type")).isEqualTo("webhook");
    Run table = cli("rules", "check", good.toString());
    assertThat(table.out()).contains("valid, 1 rules").contains("AgentsGone");

    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"alert\":{\"rules\":[{\"name\":\"BrokenRule\",\"expr\":\"clientsConnected\",\"op\":\">\",\"thresold\":1}]}}");
    Run refused = cli("rules", "check", bad.toString());
    assertThat(refused.code()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err()).contains("alert.rules").contains("BrokenRule").contains("thresold");
    Run json = cli("rules", "check", bad.toString(), "-o", "json");
    assertThat(json.code()).isEqualTo(2);
    assertThat(new JsonObject(json.out()).getString("key")).isEqualTo("alert.rules");

    Path badSink = dir.resolve("sink.yaml");
    Files.writeString(badSink, "alert:\n  sinks:\n    - type: carrier-pigeon\n");
    Run sink = cli("rules", "check", badSink.toString());
    assertThat(sink.code()).as(sink.toString()).isEqualTo(2);
    assertThat(sink.err()).contains("alert.sinks").contains("carrier-pigeon");

    Run missing = cli("rules", "check", dir.resolve("absent.yaml").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("absent.yaml");
  }

  /** One finished CLI run. */
  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  private static Run cli(String... args) {
    return cli(Map.of(), args);
  }

  /** Runs {@code java -jar switchboard.jar args} with no SWITCHBOARD_* variable but {@code env}; waits for its exit. */
  private static Run cli(Map<String, String> env, String... args) {
    try {
      Path out = Files.createTempFile("switchboard-cli-", ".out");
      Path err = Files.createTempFile("switchboard-cli-", ".err");
      ProcessBuilder pb = builder(env, args).redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(RUN.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("switchboard " + String.join(" ", args) + " still running after " + RUN);
      }
      Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static ProcessBuilder builder(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(CLI_JVM);
    cmd.addAll(List.of("-jar", NodeProcess.jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
    pb.environment().putAll(env);
    return pb;
  }

  /** A CLI run that does not end by itself (--watch, --follow): its stdout lines as they come; stopped by its pid. */
  private static final class Stream implements AutoCloseable {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Path err;

    private Stream(Process process, Path err) {
      this.process = process;
      this.err = err;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the process ended
        }
      }, "cli-stream");
      reader.setDaemon(true);
      reader.start();
    }

    static Stream start(String... args) throws IOException {
      Path err = Files.createTempFile("switchboard-cli-", ".err");
      return new Stream(builder(Map.of(), args).redirectError(err.toFile()).start(), err);
    }

    void await(Predicate<String> match, String what) {
      Await.waitFor(WAIT, () -> {
        if (lines.stream().anyMatch(match)) {
          return true;
        }
        if (!process.isAlive()) {
          throw new AssertionError("the CLI exited (" + process.exitValue() + ") before " + what + ": " + this);
        }
        return false;
      }, () -> what + ": " + this);
    }

    @Override
    public String toString() {
      String e;
      try {
        e = Files.readString(err);
      } catch (IOException x) {
        e = "";
      }
      return "stdout:\n" + String.join("\n", lines) + "\nstderr:\n" + e;
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        Files.deleteIfExists(err);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // a temporary file left behind
      }
    }
  }
}
