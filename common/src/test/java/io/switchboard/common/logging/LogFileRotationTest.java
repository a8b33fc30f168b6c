package io.switchboard.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.DefaultLogging;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code log.file.*}: the node's lines also go to a file that is rolled at the configured size, masked like stdout. */
class LogFileRotationTest {
  static final long MAX_FILE = 2048;

  @TempDir
  Path dir;

  @AfterEach
  void restoreLogging() throws Exception {
    DefaultLogging.restore();
  }

  @Test
  void theFileIsRolledAtTheConfiguredSizeIntoGzipArchivesOfMaskedJsonLines() throws Exception {
    Path live = dir.resolve("logs").resolve("node.log");
    LogSetup.configure("json", "info", List.of("password", "token", "secret", "key", "authorization"), "rot", "rot-id",
        new LogFileSettings(live.toString(), MAX_FILE, false, 7, 0));
    Logger log = LoggerFactory.getLogger("io.switchboard.test.rotation");
    int lines = 60;
    for (int i = 0; i < lines; i++) {
      log.info("line {} of the rotation test, platform=sdk/1.0 token=tok-secret-{} padding {}", i, i, "x".repeat(40));
    }
    // archives are compressed in the background: wait until every one is complete
    Await.waitFor(Duration.ofSeconds(20), () -> archives().size() >= 3
        && archives().stream().allMatch(LogFileRotationTest::readable) && linesWritten(live) == lines,
        () -> "not every line is in complete gzip archives or the live file in " + dir);
    List<Path> archives = archives();
    int seen = 0;
    for (Path a : archives) {
      String text = gunzip(a);
      long size = text.getBytes(StandardCharsets.UTF_8).length;
      // rolled once the file reached the size: at least the size, at most one line beyond it
      assertThat(size).as(a + " size").isGreaterThanOrEqualTo(MAX_FILE).isLessThan(MAX_FILE + 600);
      seen += checkLines(text);
    }
    String current = Files.readString(live);
    assertThat((long) current.length()).isLessThan(MAX_FILE + 600);
    seen += checkLines(current);
    assertThat(seen).as("every line is in the archives or the live file").isEqualTo(lines);
    assertThat(archives.get(0).getFileName().toString()).matches("node\\.log\\.\\d{4}-\\d{2}-\\d{2}\\.\\d+\\.gz");
  }

  @Test
  void aFileThatCannotBeOpenedIsAConfigurationErrorNamingTheKey() throws Exception {
    Path blocker = dir.resolve("not-a-directory");
    Files.writeString(blocker, "x");
    try {
      LogSetup.configure("json", "info", List.of("token"), "bad", "bad-id",
          new LogFileSettings(blocker.resolve("node.log").toString(), MAX_FILE, false, 7, 0));
      throw new AssertionError("no configuration error");
    } catch (ConfigException e) {
      assertThat(e.key()).isEqualTo("log.file.path");
      assertThat(e.getMessage()).contains("log.file.path").contains("node.log");
    }
  }

  private static int checkLines(String text) {
    int n = 0;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject j = new JsonObject(line);
      assertThat(j.getString("node")).isEqualTo("rot");
      assertThat(j.getString("message")).contains("token=****").doesNotContain("tok-secret");
      n++;
    }
    return n;
  }

  private int linesWritten(Path live) {
    try {
      int n = (int) Files.readString(live).lines().filter(l -> !l.isBlank()).count();
      for (Path a : archives()) {
        n += (int) gunzip(a).lines().filter(l -> !l.isBlank()).count();
      }
      return n;
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  private List<Path> archives() {
    try (Stream<Path> s = Files.list(dir.resolve("logs"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".gz")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean readable(Path gz) {
    try {
      gunzip(gz);
      return true;
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  private static String gunzip(Path gz) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
