package io.switchboard.alert;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.alert.TestSupport.Recorder;
import io.switchboard.alert.TestSupport.StatsDriver;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input to the silence API, over real HTTP against in-JVM nodes on a loopback cluster: every refusal is a JSON
 * 400/409 naming the field and what was wrong (never a Java class), is counted in switchboard_http_errors_total{code},
 * and the node keeps answering. One alert node with the default silence limits (alert.maxSilences lowered to 6), one
 * in a second cluster whose alert.maxSilenceDuration reaches the end of time.
 */
class SilenceInputTest {
  /** A rule name of 38 word characters: what java.util.regex needs to backtrack for minutes on the pattern below. */
  static final String LONG_RULE = "SwitchboardErrorRateHighOnEveryNodeNow";
  static final String CATASTROPHIC = "(\\w|\\w\\w|.|..){1,60}Z";
  static final int MAX_SILENCES = 6;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static TestNodes.Cluster cluster;
  static TestNodes.Cluster lenientCluster;
  static SwitchboardNode alert;
  static SwitchboardNode lenient;
  static StatsDriver stats;
  static Recorder events;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    alert = cluster.start("alert-strict", List.of(new AlertService()), Map.of(
        "alert.rules", new JsonArray().add(new JsonObject().put("name", LONG_RULE).put("expr", "errorRate").put("op", ">").put("threshold", 0.05)).encode(),
        "alert.evaluationInterval", "100ms",
        "alert.maxSilences", MAX_SILENCES));
    events = new Recorder(alert.vertx());
    stats = new StatsDriver(alert.vertx());
    lenientCluster = new TestNodes.Cluster();
    lenient = lenientCluster.start("alert-lenient", List.of(new AlertService()), Map.of("alert.maxSilenceDuration", "200000000000d"));
  }

  @AfterAll
  static void stop() {
    if (stats != null) {
      stats.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (lenientCluster != null) {
      lenientCluster.close();
    }
  }

  @Test
  void aCatastrophicPatternIsEvaluatedInLinearTimeWhileTheNodeKeepsAnswering() throws Exception {
    List<Long> healthMs = new CopyOnWriteArrayList<>();
    List<String> healthFailures = new CopyOnWriteArrayList<>();
    // /health asked every 100 ms (after the previous answer) for as long as the test runs
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "health-poller"));
    poller.scheduleWithFixedDelay(() -> {
      long t0 = System.nanoTime();
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(alert, "/health")).timeout(Duration.ofSeconds(1)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          healthFailures.add("status " + r.statusCode());
        }
      } catch (Exception e) {
        healthFailures.add(e.toString());
      }
      healthMs.add((System.nanoTime() - t0) / 1_000_000);
    }, 0, 100, TimeUnit.MILLISECONDS);
    try {
      HttpResponse<String> created = post(alert, matcherBody("alertname", CATASTROPHIC, true).put("duration", "1h").encode());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

      // the rule fires: the leader asks every silence whether it mutes the alert, on its event loop
      stats.set("errorRate", 0.5);
      eventually(10_000, () -> !events.of(LONG_RULE, "firing").isEmpty(), () -> "the rule did not fire: the leader is stuck");
      // every replica answers /alerts by running the matchers again
      long t0 = System.nanoTime();
      HttpResponse<String> active = send(HttpRequest.newBuilder(uri(alert, "/alerts")).timeout(Duration.ofSeconds(5)).build());
      assertThat(active.statusCode()).as(active.body()).isEqualTo(200);
      assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to answer /alerts").isLessThan(2_000);
      assertThat(new JsonObject(active.body()).getJsonArray("items")).anySatisfy(o -> {
        assertThat(((JsonObject) o).getString("rule")).isEqualTo(LONG_RULE);
        assertThat(((JsonObject) o).getBoolean("silenced")).isFalse();
      });
      // a pattern that does match mutes the alert, also on the RE2 engine
      HttpResponse<String> matching = post(alert, matcherBody("alertname", "Switchboard\\w+Now", true).put("duration", "1h").encode());
      assertThat(matching.statusCode()).as(matching.body()).isEqualTo(201);
      eventually(5_000, () -> get(alert, "/alerts").contains("\"silenced\":true"), () -> "the matching silence does not mute the alert");
      stats.set("errorRate", 0.0);
      eventually(10_000, () -> !events.of(LONG_RULE, "resolved").isEmpty(), () -> "the rule did not resolve: the leader is stuck");
    } finally {
      // no further checks; the one in flight completes (interrupting it would count as a failed /health)
      poller.shutdown();
      poller.awaitTermination(5, TimeUnit.SECONDS);
      stats.set("errorRate", 0.0);
      try {
        deleteAll(alert);
      } catch (Exception cleanupFailed) {
        // a node that no longer answers fails the assertions above; the cleanup must not hide which one
      }
    }
    assertThat(healthFailures).as("/health answers within 1 s throughout").isEmpty();
    assertThat(healthMs).isNotEmpty().allSatisfy(ms -> assertThat(ms).isLessThan(1_000));
  }

  @Test
  void patternsRe2CannotRunOrTooLargeAreRefusedNamingTheField() throws Exception {
    double before = errors(alert, "PATTERN_REFUSED");
    for (String p : List.of("(a)\\1", "(?=x)x", "(?<!x)y", "a++", "((a{1000}){1000}){1000}", "(" + "a".repeat(300) + ")")) {
      HttpResponse<String> r = post(alert, new JsonObject().put("matchers", new JsonArray()
          .add(new JsonObject().put("name", "node").put("value", "n1"))
          .add(new JsonObject().put("name", "alertname").put("value", p).put("isRegex", true))).put("duration", "1h").encode());
      JsonObject error = errorOf(r, 400);
      assertThat(error.getString("code")).as(p).isEqualTo("PATTERN_REFUSED");
      assertThat(error.getString("field")).as(p).isEqualTo("matchers[1].value");
      assertThat(error.getString("message")).as(p).contains("matchers[1].value");
    }
    assertThat(post(alert, matcherBody("alertname", "(" + "a".repeat(300) + ")", true).put("duration", "1h").encode()).body())
        .contains("alert.maxMatcherPatternLength");
    double after = errors(alert, "PATTERN_REFUSED");
    assertThat(after - before).isEqualTo(7);
    assertThat(get(alert, "/silences")).doesNotContain("\\\\1").doesNotContain("{1000}");
  }

  @Test
  void endsAtAndDurationOutsideTheirBoundsAreRefusedNamingTheField() throws Exception {
    long now = System.currentTimeMillis();
    long day = 86_400_000L;
    String m = "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"X\"}],";
    Map<String, String> endsAtCases = new LinkedHashMap<>();
    endsAtCases.put(m + "\"endsAt\":" + Long.MAX_VALUE + "}", "endsAt");
    endsAtCases.put(m + "\"endsAt\":1e400}", "endsAt");
    endsAtCases.put(m + "\"endsAt\":-1e400}", "endsAt");
    endsAtCases.put(m + "\"endsAt\":123456789012345678901234567890}", "endsAt");
    endsAtCases.put(m + "\"endsAt\":" + (now + 31 * day) + "}", "endsAt");
    endsAtCases.put(m + "\"endsAt\":" + (now + day) + ".5}", "endsAt");
    endsAtCases.put(m + "\"endsAt\":\"tomorrow\"}", "endsAt");
    endsAtCases.put(m + "\"endsAt\":{\"at\":1}}", "endsAt");
    endsAtCases.put(m + "\"endsAt\":" + (now - 1000) + "}", "endsAt");
    endsAtCases.put(m + "\"startsAt\":" + (now + 2 * 3_600_000) + ",\"endsAt\":" + (now + 3_600_000) + "}", "endsAt");
    endsAtCases.put(m + "\"startsAt\":" + Long.MAX_VALUE + ",\"duration\":\"1h\"}", "startsAt");
    endsAtCases.put(m + "\"startsAt\":true,\"duration\":\"1h\"}", "startsAt");
    endsAtCases.put(m + "\"duration\":\"100000d\"}", "duration");
    endsAtCases.put(m + "\"duration\":1e400}", "duration");
    endsAtCases.put(m + "\"duration\":\"" + "9".repeat(400) + "d\"}", "duration");
    endsAtCases.put(m + "\"duration\":[1]}", "duration");
    endsAtCases.put(m + "\"duration\":\"-5m\"}", "duration");
    endsAtCases.put("{\"matchers\":[{\"name\":\"alertname\",\"value\":\"X\"}]}", "endsAt");
    endsAtCases.put("{\"matchers\":\"alertname=X\",\"duration\":\"1h\"}", "matchers");
    endsAtCases.put("{\"matchers\":[{\"name\":\"alertname\",\"value\":5}],\"duration\":\"1h\"}", "matchers[0].value");
    endsAtCases.put("{\"matchers\":[{\"name\":\"alertname\",\"value\":\"X\",\"isRegex\":\"yes\"}],\"duration\":\"1h\"}", "matchers[0].isRegex");
    endsAtCases.put("{\"matchers\":[{\"name\":\"alertname\",\"value\":\"X\"}, 7],\"duration\":\"1h\"}", "matchers[1]");
    endsAtCases.put("{\"matchers\":[{\"name\":\"alertname\",\"value\":\"X\"}],\"duration\":\"1h\",\"createdBy\":42}", "createdBy");
    double before = errors(alert, "INVALID_SILENCE");
    int silencesBefore = new JsonObject(get(alert, "/silences")).getJsonArray("items").size();
    for (Map.Entry<String, String> c : endsAtCases.entrySet()) {
      JsonObject error = errorOf(post(alert, c.getKey()), 400);
      assertThat(error.getString("code")).as(c.getKey()).isEqualTo("INVALID_SILENCE");
      assertThat(error.getString("field")).as(c.getKey()).isEqualTo(c.getValue());
      assertThat(error.getString("message")).as(c.getKey()).startsWith(c.getValue() + " ");
    }
    assertThat(errors(alert, "INVALID_SILENCE") - before).isEqualTo(endsAtCases.size());
    assertThat(errorOf(post(alert, m + "\"endsAt\":" + Long.MAX_VALUE + "}"), 400).getString("message")).contains("alert.maxSilenceDuration (30d)");

    // too many matchers names the limit
    JsonArray many = new JsonArray();
    for (int i = 0; i < 17; i++) {
      many.add(new JsonObject().put("name", "l" + i).put("value", "v"));
    }
    JsonObject tooMany = errorOf(post(alert, new JsonObject().put("matchers", many).put("duration", "1h").encode()), 400);
    assertThat(tooMany.getString("field")).isEqualTo("matchers");
    assertThat(tooMany.getString("message")).contains("alert.maxSilenceMatchers allows 16");
    assertThat(new JsonObject(get(alert, "/silences")).getJsonArray("items")).as("nothing refused was stored").hasSize(silencesBefore);

    // inside the bounds is accepted
    HttpResponse<String> ok = post(alert, m + "\"endsAt\":" + (now + 29 * day) + "}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
    deleteAll(alert);
  }

  @Test
  void aSilenceEndingAtTheEndOfTimeSurvivesTheCreationOfTheNext() throws Exception {
    HttpResponse<String> far = post(lenient, "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"Far\"}],\"endsAt\":" + (Long.MAX_VALUE - 1) + "}");
    assertThat(far.statusCode()).as(far.body()).isEqualTo(201);
    String farId = new JsonObject(far.body()).getString("id");
    HttpResponse<String> next = post(lenient, matcherBody("alertname", "Next", false).put("duration", "1h").encode());
    assertThat(next.statusCode()).as(next.body()).isEqualTo(201);
    JsonArray items = new JsonObject(get(lenient, "/silences")).getJsonArray("items");
    assertThat(items).as("silences after the second create").anySatisfy(o -> {
      assertThat(((JsonObject) o).getString("id")).isEqualTo(farId);
      assertThat(((JsonObject) o).getString("status")).isEqualTo("active");
    });
    assertThat(items).hasSize(2);
  }

  @Test
  void silencesBeyondAlertMaxSilencesAreRefusedNamingTheLimit() throws Exception {
    deleteAll(alert);
    double before = errors(alert, "SILENCE_LIMIT");
    for (int i = 0; i < MAX_SILENCES; i++) {
      HttpResponse<String> r = post(alert, matcherBody("node", "n" + i, false).put("duration", "1h").encode());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    JsonObject error = errorOf(post(alert, matcherBody("node", "one-too-many", false).put("duration", "1h").encode()), 409);
    assertThat(error.getString("code")).isEqualTo("SILENCE_LIMIT");
    assertThat(error.getString("message")).contains("alert.maxSilences allows " + MAX_SILENCES);
    assertThat(errors(alert, "SILENCE_LIMIT") - before).isEqualTo(1);
    assertThat(new JsonObject(get(alert, "/silences")).getJsonArray("items")).hasSize(MAX_SILENCES);
    deleteAll(alert);
    assertThat(post(alert, matcherBody("node", "room-again", false).put("duration", "1h").encode()).statusCode()).isEqualTo(201);
    deleteAll(alert);
  }

  @Test
  void regexMatchersBeyondTheClusterPatternBudgetAreRefused() throws Exception {
    deleteAll(alert);
    double before = errors(alert, "SILENCE_LIMIT");
    // each pattern expands to 1995 elements; alert.maxSilencePatternSize (10000) holds five of them
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = post(alert, matcherBody("alertname", "Rule" + i + ".{0,995}.{0,995}", true).put("duration", "1h").encode());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    JsonObject error = errorOf(post(alert, matcherBody("alertname", "Rule5.{0,995}.{0,995}", true).put("duration", "1h").encode()), 409);
    assertThat(error.getString("code")).isEqualTo("SILENCE_LIMIT");
    assertThat(error.getString("message")).contains("alert.maxSilencePatternSize allows 10000");
    // equality matchers cost nothing against the budget
    assertThat(post(alert, matcherBody("alertname", "Rule5", false).put("duration", "1h").encode()).statusCode()).isEqualTo(201);
    assertThat(errors(alert, "SILENCE_LIMIT") - before).isEqualTo(1);
    deleteAll(alert);
  }

  @Test
  void noErrorAnswerNamesAJavaClassAndEachIsCounted() throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    for (String s : List.of("", "   ", "not json", "{", "{\"matchers\":", "[1,2,3]", "[]", "\"a string\"", "42", "1e400", "null", "true",
        "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"X\"}],\"endsAt\":1e400}",
        "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"X\"}],\"endsAt\":123456789012345678901234567890123}",
        "{\"matchers\":[{\"name\":[],\"value\":{}}],\"duration\":{}}", "{\"matchers\":[null],\"duration\":null}",
        "{\"a\":1,\"a\":2}", "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"X\"}],\"duration\":\"1h\"} trailing",
        "[".repeat(5000) + "]".repeat(5000), "{\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}", "\u0000\u0001")) {
      bodies.add(s.getBytes(StandardCharsets.UTF_8));
    }
    bodies.add(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
    bodies.add(new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0});
    double invalidJsonBefore = errors(alert, "INVALID_JSON");
    int invalidJson = 0;
    for (byte[] b : bodies) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(uri(alert, "/silences")).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(b)).timeout(Duration.ofSeconds(5)).build());
      String label = new String(b, StandardCharsets.UTF_8);
      label = label.length() > 60 ? label.substring(0, 60) + "…" : label;
      assertThat(r.statusCode()).as(label).isBetween(400, 499);
      assertNoJavaNames(label, r);
      if ("INVALID_JSON".equals(new JsonObject(r.body()).getJsonObject("error").getString("code"))) {
        invalidJson++;
      }
    }
    assertThat(invalidJson).isGreaterThanOrEqualTo(14);
    assertThat(errors(alert, "INVALID_JSON") - invalidJsonBefore).isEqualTo(invalidJson);

    // the rest of the HTTP API: query parameters, unknown paths and methods, a body over the limit
    List<HttpRequest> others = List.of(
        HttpRequest.newBuilder(uri(alert, "/stats?scope=" + "x".repeat(500))).build(),
        HttpRequest.newBuilder(uri(alert, "/api/clients?limit=abc")).build(),
        HttpRequest.newBuilder(uri(alert, "/api/clients?limit=99999999999999999999")).build(),
        HttpRequest.newBuilder(uri(alert, "/api/clients?offset=-1")).build(),
        HttpRequest.newBuilder(uri(alert, "/api/clients?type=robot")).build(),
        HttpRequest.newBuilder(uri(alert, "/no/such/path")).build(),
        HttpRequest.newBuilder(uri(alert, "/silences/does-not-exist")).DELETE().build(),
        HttpRequest.newBuilder(uri(alert, "/silences")).PUT(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpRequest.newBuilder(uri(alert, "/silences")).header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"comment\":\"" + "x".repeat(70_000) + "\"}")).build());
    double before = totalErrors(alert);
    for (HttpRequest req : others) {
      HttpResponse<String> r = send(req);
      assertThat(r.statusCode()).as(req.method() + " " + req.uri()).isBetween(400, 499);
      assertNoJavaNames(req.method() + " " + req.uri(), r);
    }
    assertThat(totalErrors(alert) - before).isEqualTo(others.size());
    assertThat(get(alert, "/health")).contains("\"status\":\"ok\"");
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  /** Qualified Java names, exception class names, parser internals: none may reach a client. */
  static final Pattern JAVA_NAME = Pattern.compile(
      "(?i)exception|java\\.|javax\\.|io\\.vertx|io\\.netty|com\\.fasterxml|jackson|\\bclass\\b|\\[source:|\\bat [a-z]+\\.[a-z]+|\\$[A-Z]|\\b[a-z]+\\.[a-z]+\\.[A-Z][A-Za-z]+");

  static void assertNoJavaNames(String what, HttpResponse<String> r) {
    Matcher m = JAVA_NAME.matcher(r.body());
    assertThat(m.find() ? m.group() : null).as(what + " answered " + r.body()).isNull();
    assertThat(r.headers().firstValue("content-type").orElse("")).as(what).startsWith("application/json");
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertThat(error).as(what + ": " + r.body()).isNotNull();
    assertThat(error.getInteger("status")).as(what).isEqualTo(r.statusCode());
    assertThat(error.getString("code")).as(what).matches("[A-Z_]+");
    assertThat(error.getString("message")).as(what).isNotBlank();
  }

  static JsonObject matcherBody(String name, String value, boolean isRegex) {
    return new JsonObject().put("matchers", new JsonArray().add(new JsonObject().put("name", name).put("value", value).put("isRegex", isRegex)));
  }

  static JsonObject errorOf(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertNoJavaNames("status " + status, r);
    return new JsonObject(r.body()).getJsonObject("error");
  }

  static URI uri(SwitchboardNode n, String path) {
    return URI.create("http://127.0.0.1:" + n.httpPort() + path);
  }

  static HttpResponse<String> send(HttpRequest req) throws Exception {
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(SwitchboardNode n, String body) throws Exception {
    return send(HttpRequest.newBuilder(uri(n, "/silences")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(5)).build());
  }

  static String get(SwitchboardNode n, String path) {
    try {
      return send(HttpRequest.newBuilder(uri(n, path)).timeout(Duration.ofSeconds(5)).build()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteAll(SwitchboardNode n) throws Exception {
    for (Object o : new JsonObject(get(n, "/silences")).getJsonArray("items")) {
      send(HttpRequest.newBuilder(uri(n, "/silences/" + ((JsonObject) o).getString("id"))).DELETE().build());
    }
  }

  /** switchboard_http_errors_total{code} as the node's /metrics shows it (0 when absent). */
  static double errors(SwitchboardNode n, String code) {
    Matcher m = Pattern.compile("(?m)^switchboard_http_errors_total\\{[^}]*code=\"" + code + "\"[^}]*} (\\S+)$").matcher(get(n, "/metrics"));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  static double totalErrors(SwitchboardNode n) {
    Matcher m = Pattern.compile("(?m)^switchboard_http_errors_total\\{[^}]*} (\\S+)$").matcher(get(n, "/metrics"));
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }
}
