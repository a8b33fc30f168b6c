package io.switchboard.launcher;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.switchboard.alert.AlertService;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestJwts;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.HubService;
import io.switchboard.launcher.cli.Cli;
import io.switchboard.stats.StatsService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The admin surface over real HTTP, as a table: every admin endpoint without a credential (401), with credentials that
 * are not an admin's (403), with a refused token (401), and with an admin token and an admin JWT (2xx, or for the
 * paths other parts serve, anything but 401/403); each refusal JSON and counted. The open surface (probes, metrics,
 * stats, reading silences, the dashboard) answers without credentials. A second node serves the admin surface only on
 * its management port (admin.port).
 */
class AdminSurfaceTest {
  static final String SECRET = "admin-surface-test-secret-32-bytes!!";
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static TestNodes.Cluster cluster;
  static SwitchboardNode node;
  static SwitchboardNode managed;
  static int adminPort;
  static Vertx vertx;
  static TestJwts.Signer jwt;

  record Endpoint(String method, String path, String body, boolean served) {}

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    jwt = TestJwts.hs256(vertx, SECRET);
    cluster = new TestNodes.Cluster();
    Map<String, Object> auth = Map.of("auth.adminTokens", "admin-token", "hub.auth.tokens", "client-token",
        "auth.jwt.secret", SECRET, "auth.jwt.issuer", "iss", "auth.jwt.audience", "sb", "alert.evaluationInterval", "200ms");
    node = cluster.start("admin-a", List.of(new HubService(), new StatsService(), new AlertService()), auth);
    adminPort = TestNodes.freePort();
    managed = cluster.start("admin-b", List.of(new HubService()), Map.of("auth.adminTokens", "admin-token",
        "admin.port", adminPort));
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  static HttpResponse<String> call(int port, String method, String path, String body, String credential) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (credential != null) {
      b.header("Authorization", "Bearer " + credential);
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }

  static String silence() {
    return new JsonObject().put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname")
        .put("value", "AdminSurfaceTest"))).put("duration", "1h").put("createdBy", "test").put("comment", "table").encode();
  }

  /** A silence made with the admin token, for the DELETE rows. */
  static String newSilenceId() {
    HttpResponse<String> r = call(node.httpPort(), "POST", "/silences", silence(), "admin-token");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getString("id");
  }

  static List<Endpoint> endpoints() {
    List<Endpoint> e = new ArrayList<>();
    e.add(new Endpoint("POST", "/silences", silence(), true));
    e.add(new Endpoint("DELETE", "/silences/" + newSilenceId(), null, true));
    e.add(new Endpoint("GET", "/config", null, true));
    e.add(new Endpoint("GET", "/api/clients", null, true));
    e.add(new Endpoint("POST", "/alerts/rules/reload", "{}", false));
    e.add(new Endpoint("POST", "/admin/profile", "{}", false));
    e.add(new Endpoint("GET", "/admin/anything", null, false));
    return e;
  }

  static double httpErrors(String code) {
    Counter c = node.context().metrics().registry().find("switchboard.http.errors").tag("code", code).counter();
    return c == null ? 0 : c.count();
  }

  static void refused(Endpoint e, String credential, int status, String code) {
    double before = httpErrors(code);
    HttpResponse<String> r = call(node.httpPort(), e.method(), e.path(), e.body(), credential);
    assertThat(r.statusCode()).as(e + " with " + credential + ": " + r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("application/json"));
    JsonObject err = new JsonObject(r.body()).getJsonObject("error");
    assertThat(err.getInteger("status")).isEqualTo(status);
    assertThat(err.getString("code")).isEqualTo(code);
    assertThat(err.getString("message")).isNotBlank().doesNotContain(credential == null ? "\u0000" : credential);
    assertThat(httpErrors(code)).isEqualTo(before + 1);
  }

  @Test
  void everyAdminEndpointRefusesWithoutAnAdminCredentialAndServesWithOne() {
    long now = System.currentTimeMillis() / 1000;
    String monitorJwt = jwt.sign(TestJwts.claims("ops", "iss", "sb", "monitor", "client"));
    String adminJwt = jwt.sign(TestJwts.claims("root", "iss", "sb", "admin"));
    String expiredAdmin = jwt.sign(TestJwts.claims("root", "iss", "sb", "admin").put("exp", now - 600));
    String wrongAudience = jwt.sign(TestJwts.claims("root", "iss", "other", "admin"));
    for (Endpoint e : endpoints()) {
      refused(e, null, 401, "UNAUTHORIZED");
      refused(e, "not-a-token", 401, "UNAUTHORIZED");
      refused(e, expiredAdmin, 401, "UNAUTHORIZED");
      refused(e, wrongAudience, 401, "UNAUTHORIZED");
      refused(e, TestJwts.unsigned(TestJwts.claims("root", "iss", "sb", "admin")), 401, "UNAUTHORIZED");
      refused(e, "client-token", 403, "FORBIDDEN");
      refused(e, monitorJwt, 403, "FORBIDDEN");
    }
    for (String admin : List.of("admin-token", adminJwt)) {
      for (Endpoint e : endpoints()) {
        HttpResponse<String> r = call(node.httpPort(), e.method(), e.path(), e.body(), admin);
        if (e.served()) {
          assertThat(r.statusCode()).as(e + ": " + r.body()).isBetween(200, 299);
        } else {
          assertThat(r.statusCode()).as(e + ": " + r.body()).isNotIn(401, 403);
        }
      }
    }
  }

  @Test
  void theOpenSurfaceNeedsNoCredential() {
    for (String path : List.of("/health", "/health/live", "/health/ready", "/metrics", "/silences", "/dashboard/")) {
      assertThat(call(node.httpPort(), "GET", path, null, null).statusCode()).as(path).isEqualTo(200);
    }
    eventually(() -> assertThat(call(node.httpPort(), "GET", "/stats", null, null).statusCode()).isEqualTo(200));
    // /config is masked for an admin too: no secret value leaves the node
    String config = call(node.httpPort(), "GET", "/config", null, "admin-token").body();
    assertThat(config).doesNotContain(SECRET).doesNotContain("client-token").doesNotContain("admin-token");
  }

  @Test
  void theCliSendsItsTokenAsTheBearerCredential() {
    String url = "http://127.0.0.1:" + node.httpPort();
    String adminJwt = jwt.sign(TestJwts.claims("cli-admin", "iss", "sb", "admin"));
    for (String token : List.of("admin-token", adminJwt)) {
      assertThat(cli("silences", "add", "--matcher", "alertname=CliAuth", "--for", "1h", "--comment", "cli",
          "--token", token, "--url", url)).isZero();
      assertThat(cli("clients", "--token", token, "--url", url)).isZero();
    }
    // refused: no token (401) and a non-admin credential (403), both exit code 2 (a refused request)
    assertThat(cli("silences", "add", "--matcher", "alertname=CliAuth", "--for", "1h", "--comment", "cli", "--url", url))
        .isEqualTo(2);
    assertThat(cli("clients", "--token", "client-token", "--url", url)).isEqualTo(2);
    // reading silences stays open
    assertThat(cli("silences", "list", "--url", url)).isZero();
  }

  static int cli(String... args) {
    return Cli.configure(new CommandLine(new Main())).execute(args);
  }

  @Test
  void withAdminPortTheAdminSurfaceIsServedOnlyThere() {
    HttpResponse<String> onMain = call(managed.httpPort(), "GET", "/config", null, "admin-token");
    assertThat(onMain.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(onMain.body()).getJsonObject("error").getString("message")).contains("admin.port");
    assertThat(call(adminPort, "GET", "/config", null, "admin-token").statusCode()).isEqualTo(200);
    assertThat(call(adminPort, "GET", "/config", null, null).statusCode()).isEqualTo(401);
    assertThat(call(managed.httpPort(), "GET", "/health", null, null).statusCode()).isEqualTo(200);
    assertThat(call(managed.httpPort(), "GET", "/metrics", null, null).statusCode()).isEqualTo(200);
  }
}
