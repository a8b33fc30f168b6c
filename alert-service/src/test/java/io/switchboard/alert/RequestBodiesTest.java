package io.switchboard.alert;

import static io.switchboard.alert.SilenceInputTest.errorOf;
import static io.switchboard.alert.SilenceInputTest.errors;
import static io.switchboard.alert.SilenceInputTest.send;
import static io.switchboard.alert.SilenceInputTest.uri;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request bodies of state-changing requests (docs/operations.md, "Running it in the open"), on {@code POST /silences}
 * of an alert node: only {@code application/json} is taken (415 otherwise, so a cross-site {@code text/plain} or form
 * POST cannot create a silence), bodies over {@code http.maxBodyBytes} are 413, and a wrong field is named; each
 * refusal is counted and creates nothing.
 */
class RequestBodiesTest {
  static final int MAX_BODY = 2048;
  static TestNodes.Cluster cluster;
  static SwitchboardNode alert;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    alert = cluster.start("bodies", List.of(new AlertService()), Map.of("http.maxBodyBytes", MAX_BODY));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static String silence() {
    return new JsonObject().put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname").put("value", "X")))
        .put("duration", "1h").put("comment", "body test").encode();
  }

  static HttpResponse<String> post(String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(alert, "/silences")).timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b.build());
  }

  static int silences() {
    return new JsonObject(SilenceInputTest.get(alert, "/silences")).getJsonArray("items").size();
  }

  @Test
  void aSilenceIsOnlyTakenAsJson() throws Exception {
    double before = errors(alert, "UNSUPPORTED_MEDIA_TYPE");
    int kept = silences();
    for (String type : new String[] {"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", null}) {
      JsonObject e = errorOf(post(type, silence()), 415);
      assertThat(e.getString("code")).as(type).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
      assertThat(e.getString("message")).as(type).contains("application/json");
    }
    assertThat(errors(alert, "UNSUPPORTED_MEDIA_TYPE") - before).isEqualTo(5);
    assertThat(silences()).isEqualTo(kept);

    assertThat(post("application/json; charset=utf-8", silence()).statusCode()).isEqualTo(201);
    assertThat(post("Application/JSON", silence()).statusCode()).isEqualTo(201);
    assertThat(silences()).isEqualTo(kept + 2);
  }

  @Test
  void aDeleteWithANonJsonBodyIsRefusedAndOneWithoutABodyIsNot() throws Exception {
    HttpResponse<String> withText = send(HttpRequest.newBuilder(uri(alert, "/silences/nope")).header("Content-Type", "text/plain")
        .method("DELETE", HttpRequest.BodyPublishers.ofString("x")).build());
    assertThat(errorOf(withText, 415).getString("code")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    HttpResponse<String> bare = send(HttpRequest.newBuilder(uri(alert, "/silences/nope")).DELETE().build());
    assertThat(errorOf(bare, 404).getString("code")).isEqualTo("NOT_FOUND");
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    double before = errors(alert, "BODY_TOO_LARGE");
    String big = new JsonObject(silence()).put("comment", "x".repeat(MAX_BODY)).encode();
    JsonObject e = errorOf(post("application/json", big), 413);
    assertThat(e.getString("code")).isEqualTo("BODY_TOO_LARGE");
    assertThat(e.getString("message")).contains(String.valueOf(MAX_BODY)).contains("http.maxBodyBytes");
    // a body of exactly the limit (padded with JSON whitespace) is read and judged on its merits
    String fits = silence() + " ".repeat(MAX_BODY - silence().length());
    assertThat(fits.length()).isEqualTo(MAX_BODY);
    assertThat(post("application/json", fits).statusCode()).isEqualTo(201);
    assertThat(errors(alert, "BODY_TOO_LARGE") - before).isEqualTo(1);
    assertThat(SilenceInputTest.get(alert, "/health")).contains("\"status\":\"ok\"");
  }

  @Test
  void aWrongFieldIsNamed() throws Exception {
    JsonObject notAList = errorOf(post("application/json", "{\"matchers\":\"alertname=X\",\"duration\":\"1h\"}"), 400);
    assertThat(notAList.getString("field")).isEqualTo("matchers");
    JsonObject badDuration = errorOf(post("application/json",
        new JsonObject(silence()).put("duration", "soon").encode()), 400);
    assertThat(badDuration.getString("field")).isEqualTo("duration");
    JsonObject unknown = errorOf(post("application/json", new JsonObject(silence()).put("mute", true).encode()), 400);
    assertThat(unknown.getString("field")).isEqualTo("mute");
    JsonObject notJson = errorOf(post("application/json", "{\"matchers\": ["), 400);
    assertThat(notJson.getString("code")).isEqualTo("INVALID_JSON");
    assertThat(notJson.getString("message")).contains("line 1");
  }
}
