package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log files of real node processes: {@code log.file.*} rolls the node's own file at its size; a user's Logback file
 * given with {@code -Dlogback.configurationFile} is used as given.
 */
class LogFilesIT {
  @TempDir
  Path dir;

  @Test
  void theNodesLogFileIsRolledAtTheConfiguredSizeAndMasked() throws Exception {
    Path live = dir.resolve("node.log");
    int port = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env("unused", 5701, "logfile", port);
    env.put("SWITCHBOARD_CLUSTER_MODE", "none");
    env.put("SWITCHBOARD_LOG_LEVEL", "info,io.switchboard.access=info");
    env.put("SWITCHBOARD_LOG_FILE_PATH", live.toString());
    env.put("SWITCHBOARD_LOG_FILE_MAX_FILE_SIZE", "4KiB");
    try (NodeProcess n = NodeProcess.start("logfile", port, env)) {
      n.awaitReady(Duration.ofSeconds(60));
      for (int i = 0; i < 40; i++) {
        assertThat(n.get("/health?token=file-secret-" + i).status()).isEqualTo(200);
      }
      Await.waitFor(Duration.ofSeconds(20), () -> completeArchives().size() >= 2,
          () -> "no complete archives next to " + live + ": " + listing());
      List<String> lines = new ArrayList<>(Files.readAllLines(live));
      for (Path a : completeArchives()) {
        String text = gunzip(a);
        assertThat((long) text.getBytes(StandardCharsets.UTF_8).length).as(a + " size")
            .isGreaterThanOrEqualTo(4096).isLessThan(4096 + 2048);
        lines.addAll(text.lines().toList());
      }
      assertThat(String.join("\n", lines)).doesNotContain("file-secret-").contains("token=****");
      assertThat(lines.stream().filter(l -> !l.isBlank()).map(JsonObject::new)
          .filter(j -> "io.switchboard.access".equals(j.getString("logger"))).count()).isGreaterThanOrEqualTo(30);
      assertThat(lines).anyMatch(l -> l.contains("ready: http port"));
      // stdout keeps its lines too
      assertThat(n.output()).contains("ready: http port");
    }
  }

  @Test
  void aUsersLogbackFileIsUsedAsGiven() throws Exception {
    Path userLog = dir.resolve("user.log");
    Path xml;
    try {
      xml = Path.of(LogFilesIT.class.getResource("/user-logback.xml").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    int port = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env("unused", 5701, "userlog", port);
    env.put("SWITCHBOARD_CLUSTER_MODE", "none");
    // the node's own file, which the user's configuration overrides
    env.put("SWITCHBOARD_LOG_FILE_PATH", dir.resolve("ignored.log").toString());
    List<String> jvm = new ArrayList<>(NodeProcess.DEFAULT_JVM_OPTIONS);
    jvm.add("-Dlogback.configurationFile=" + xml);
    jvm.add("-DUSER_LOG_FILE=" + userLog);
    try (NodeProcess n = NodeProcess.start("userlog", port, env, jvm)) {
      n.awaitReady(Duration.ofSeconds(60));
      HttpRequest req = HttpRequest.newBuilder(URI.create(n.url("/health/live"))).GET().build();
      assertThat(n.request(req).status()).isEqualTo(200);
      Await.waitFor(Duration.ofSeconds(10), () -> read(userLog).contains("/health/live"),
          () -> "no access line in the user's file:\n" + read(userLog));
      String text = read(userLog);
      assertThat(text).contains("ready: http port").contains("logging is configured by " + xml);
      assertThat(text.lines().filter(l -> !l.isBlank())).allMatch(l -> l.startsWith("USERFMT "));
      assertThat(Files.exists(dir.resolve("ignored.log"))).as("log.file.path is not applied").isFalse();
      assertThat(n.output()).doesNotContain("ready: http port");
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String listing() {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList().toString();
    } catch (IOException e) {
      return e.toString();
    }
  }

  private List<Path> completeArchives() {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".gz")).filter(p -> {
        try {
          gunzip(p);
          return true;
        } catch (IOException e) {
          return false;
        }
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String gunzip(Path gz) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
