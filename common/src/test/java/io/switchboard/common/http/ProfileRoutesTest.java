package io.switchboard.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.config.ConfigException;
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

/** POST /admin/profile refusals: off by default (404 saying how to enable), {@code seconds} out of range (400). */
class ProfileRoutesTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void offByDefaultWithAnAnswerSayingHowToTurnItOn() throws Exception {
    try (TestNodes.Cluster c = new TestNodes.Cluster()) {
      SwitchboardNode n = c.start("noprof", List.of(), Map.of("cluster.mode", "none"));
      HttpResponse<String> r = post(n, "/admin/profile?seconds=1");
      assertThat(r.statusCode()).isEqualTo(404);
      JsonObject error = new JsonObject(r.body()).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("PROFILING_DISABLED");
      assertThat(error.getString("message")).contains("admin.profiling.enabled=true")
          .contains("SWITCHBOARD_ADMIN_PROFILING_ENABLED");
      assertThat(metrics(n)).contains("switchboard_http_errors_total{code=\"PROFILING_DISABLED\",node=\"noprof\"} 1.0");
    }
  }

  @Test
  void secondsOutsideItsRangeIsRefusedNamingIt() throws Exception {
    try (TestNodes.Cluster c = new TestNodes.Cluster()) {
      SwitchboardNode n = c.start("prof", List.of(), Map.of("cluster.mode", "none", "admin.profiling.enabled", true,
          "admin.profiling.maxSeconds", 5));
      for (String q : List.of("", "?seconds=0", "?seconds=6", "?seconds=abc", "?seconds=-1", "?seconds=99999999999")) {
        HttpResponse<String> r = post(n, "/admin/profile" + q);
        assertThat(r.statusCode()).as(q).isEqualTo(400);
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("INVALID_QUERY");
        assertThat(error.getString("field")).isEqualTo("seconds");
        assertThat(error.getString("message")).contains("from 1 to 5").contains("admin.profiling.maxSeconds");
      }
      assertThat(post(n, "/admin/profile?seconds=abc").headers().firstValue("content-type")).contains("application/json");
    }
  }

  @Test
  void aMaximumAtOrAboveTheIdleTimeoutStopsStartUpNamingTheKey() {
    try (TestNodes.Cluster c = new TestNodes.Cluster()) {
      assertThatThrownBy(() -> c.start("long", List.of(), Map.of("cluster.mode", "none", "admin.profiling.enabled", true,
          "admin.profiling.maxSeconds", 60, "http.idleTimeout", "60s")))
          .hasRootCauseInstanceOf(ConfigException.class)
          .rootCause().hasMessageContaining("admin.profiling.maxSeconds").hasMessageContaining("http.idleTimeout");
    }
  }

  private HttpResponse<String> post(SwitchboardNode n, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String metrics(SwitchboardNode n) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
