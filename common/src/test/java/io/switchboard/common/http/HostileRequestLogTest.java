package io.switchboard.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.logging.LogSetup;
import io.switchboard.common.testing.DefaultLogging;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every request is logged (masked) on the event loop that served it: a request line built to make the masking
 * patterns backtrack must not stall that loop. One HTTP instance, so every request shares the loop.
 */
class HostileRequestLogTest {
  /** Longer than any pause of a busy machine, far shorter than a backtracking stall. */
  static final Duration STALL = Duration.ofSeconds(15);

  @Test
  void aPathBuiltToStallTheLogMaskerIsAnsweredAndTheNodeKeepsAnswering() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    // the launcher's logging: JSON lines, masked, with the access log at info
    LogSetup.configure("json", "warn,io.switchboard.access=info", List.of("password", "token", "secret", "key", "authorization"),
        "masker", "masker-id");
    try (TestNodes.Cluster c = new TestNodes.Cluster(2)) {
      SwitchboardNode n = c.start("masker", List.of(), Map.of("http.instances", 1));
      String base = "http://127.0.0.1:" + n.httpPort();
      // a run of name characters full of a masked word, under Netty's 4096-byte request line
      String path = "/" + "atoken".repeat(600) + "=x";
      for (String p : List.of(path, "/x?" + "-token".repeat(600) + "=x")) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + p)).timeout(STALL).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("NOT_FOUND");
        // a backtracking masker holds the loop for minutes on such a line; a busy machine delays it by moments:
        // the bound tells the two apart without timing the node
        for (int i = 0; i < 5; i++) {
          HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(STALL).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(h.statusCode()).isEqualTo(200);
        }
      }
    } finally {
      DefaultLogging.restore();
    }
  }
}
