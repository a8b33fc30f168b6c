package io.switchboard.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.http.AccessLogHandler;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.DefaultLogging;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code log.accessLog}: true writes one access line per request, false writes none (and the node still answers). */
class AccessLogSwitchTest {
  @TempDir
  Path dir;

  @AfterEach
  void restoreLogging() throws Exception {
    DefaultLogging.restore();
  }

  @Test
  void accessLinesFollowTheKey() throws Exception {
    assertThat(accessLines(true)).isEqualTo(3);
    assertThat(accessLines(false)).isZero();
  }

  /** Configures logging with log.accessLog = {@code on} into a file, serves 3 real requests, counts access lines. */
  private long accessLines(boolean on) throws Exception {
    Path file = dir.resolve("access-" + on + ".log");
    SwitchboardConfig cfg = SwitchboardConfig.defaults().with(Map.of("log.accessLog", on, "log.file.path", file.toString()));
    LogSetup.configure(cfg, "access-test", "access-test-id");
    Vertx vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      router.route().handler(new AccessLogHandler());
      router.get("/ping").handler(rc -> rc.response().end("pong"));
      HttpServer server = Await.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
      var client = vertx.createHttpClient();
      for (int i = 0; i < 3; i++) {
        int status = Await.await(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/ping")
            .compose(req -> req.send()).map(HttpClientResponse::statusCode));
        assertThat(status).isEqualTo(200);
      }
      // a marker after the requests: once it is in the file, every access line written before it is too
      LoggerFactory.getLogger("io.switchboard.test.marker").info("marker {}", on);
      Await.waitFor(Duration.ofSeconds(10), () -> read(file).contains("marker " + on),
          () -> "no marker line in " + file);
      return Files.readAllLines(file).stream().filter(l -> l.contains("\"/ping\"") || l.contains(" /ping")).count();
    } finally {
      Await.await(vertx.close());
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
