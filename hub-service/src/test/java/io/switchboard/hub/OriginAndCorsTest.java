package io.switchboard.hub;

import static io.switchboard.common.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Browsers and origins (docs/operations.md, "Running it in the open"): a WebSocket upgrade or request whose Origin is
 * foreign is refused with 403 ORIGIN_REFUSED on {@code /haip}, {@code /ws}, {@code /eventbus} (WebSocket and XHR
 * transports) and the dashboard, and counted; the node's own origin and clients without an Origin work; with
 * {@code http.allowedOrigins} set, exactly the listed origins work and only they get CORS headers.
 */
class OriginAndCorsTest {
  static final String FOREIGN = "https://evil.example";
  static final String LISTED = "https://dash.example.com";
  static final List<String> WS_PATHS = List.of("/haip", "/ws", "/eventbus/websocket");

  static TestNodes.Cluster cluster;
  static SwitchboardNode open;
  static SwitchboardNode listed;
  static Vertx vertx;
  static WebSocketClient ws;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    open = cluster.start("own-origin", List.of(new HubService()), Map.of("cluster.mode", "none"));
    listed = cluster.start("listed", List.of(new HubService()), Map.of("cluster.mode", "none",
        "http.allowedOrigins", LISTED + ",http://localhost:3000"));
    vertx = Vertx.vertx();
    ws = vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    await(vertx.close());
  }

  @Test
  void aForeignOriginIsRefusedOnEveryWebSocketPathAndCounted() throws Exception {
    double before = refusals(open);
    for (String path : WS_PATHS) {
      Upgrade u = upgrade(open, path, FOREIGN);
      assertThat(u.status()).as(path).isEqualTo(403);
      JsonObject error = new JsonObject(u.body()).getJsonObject("error");
      assertThat(error.getString("code")).as(path).isEqualTo("ORIGIN_REFUSED");
      assertThat(error.getString("message")).contains(FOREIGN);
    }
    assertThat(upgrade(open, "/haip", "null").status()).isEqualTo(403);
    assertThat(refusals(open) - before).isEqualTo(WS_PATHS.size() + 1);
  }

  @Test
  void theNodesOwnOriginAndClientsWithoutAnOriginUpgrade() throws Exception {
    for (String path : WS_PATHS) {
      assertThat(upgrade(open, path, "http://127.0.0.1:" + open.httpPort()).status()).as(path).isEqualTo(101);
      assertThat(upgrade(open, path, null).status()).as(path).isEqualTo(101);
    }
  }

  @Test
  void theSockJsXhrTransportAndTheDashboardRefuseAForeignOrigin() throws Exception {
    HttpResponse<String> xhr = send(open, "POST", "/eventbus/123/abcdefgh/xhr", FOREIGN, null, null);
    assertThat(xhr.statusCode()).isEqualTo(403);
    assertThat(xhr.headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(send(open, "POST", "/eventbus/123/abcdefgh/xhr", "http://127.0.0.1:" + open.httpPort(), null, null).statusCode())
        .isEqualTo(200);
    assertThat(send(open, "GET", "/eventbus/info", FOREIGN, null, null).statusCode()).isEqualTo(403);
    assertThat(send(open, "GET", "/dashboard/", FOREIGN, null, null).statusCode()).isEqualTo(403);
    assertThat(send(open, "GET", "/dashboard/", null, null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void withAListOnlyListedOriginsUpgradeAndTheNodesOwnIsNoLongerImplied() throws Exception {
    for (String path : WS_PATHS) {
      assertThat(upgrade(listed, path, LISTED).status()).as(path).isEqualTo(101);
      assertThat(upgrade(listed, path, "http://localhost:3000").status()).as(path).isEqualTo(101);
      assertThat(upgrade(listed, path, "http://127.0.0.1:" + listed.httpPort()).status()).as(path).isEqualTo(403);
      assertThat(upgrade(listed, path, FOREIGN).status()).as(path).isEqualTo(403);
      assertThat(upgrade(listed, path, null).status()).as(path).isEqualTo(101);
    }
  }

  @Test
  void corsHeadersGoToListedOriginsOnly() throws Exception {
    HttpResponse<String> preflight = send(listed, "OPTIONS", "/silences", LISTED, "POST", null);
    assertThat(preflight.statusCode()).isBetween(200, 204);
    assertThat(preflight.headers().firstValue("access-control-allow-origin")).contains(LISTED);
    assertThat(preflight.headers().firstValue("access-control-allow-methods").orElse("")).contains("POST");

    HttpResponse<String> foreignPreflight = send(listed, "OPTIONS", "/silences", FOREIGN, "POST", null);
    assertThat(foreignPreflight.statusCode()).isEqualTo(403);
    assertThat(foreignPreflight.headers().firstValue("access-control-allow-origin")).isEmpty();

    HttpResponse<String> get = send(listed, "GET", "/health", LISTED, null, null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("access-control-allow-origin")).contains(LISTED);

    HttpResponse<String> foreignGet = send(listed, "GET", "/health", FOREIGN, null, null);
    assertThat(foreignGet.statusCode()).isEqualTo(403);
    assertThat(foreignGet.headers().firstValue("access-control-allow-origin")).isEmpty();

    // no list: the node's own origin is served without CORS headers, a foreign one gets none either
    HttpResponse<String> own = send(open, "GET", "/health", "http://127.0.0.1:" + open.httpPort(), null, null);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.headers().firstValue("access-control-allow-origin")).isEmpty();
    HttpResponse<String> noOrigin = send(open, "GET", "/health", null, null, null);
    assertThat(noOrigin.headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  record Upgrade(int status, String body) {}

  /**
   * Upgrades with this Origin header (none when null); 101 when the WebSocket opened. The client writes its own Origin
   * header only when the request has none, and none at all when told not to.
   */
  static Upgrade upgrade(SwitchboardNode n, String path, String origin) throws Exception {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(n.httpPort()).setURI(path)
        .setAllowOriginHeader(origin != null);
    if (origin != null) {
      o.putHeader("Origin", origin);
    }
    try {
      WebSocket s = ws.connect(o).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      s.close();
      return new Upgrade(101, "");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UpgradeRejectedException r) {
        return new Upgrade(r.getStatus(), r.getBody() == null ? "" : r.getBody().toString());
      }
      throw e;
    }
  }

  static HttpResponse<String> send(SwitchboardNode n, String method, String path, String origin, String preflightMethod,
      String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      b.header("Origin", origin);
    }
    if (preflightMethod != null) {
      b.header("Access-Control-Request-Method", preflightMethod).header("Access-Control-Request-Headers", "content-type");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static double refusals(SwitchboardNode n) {
    return n.context().metrics().registry().get("switchboard.http.errors").tag("code", "ORIGIN_REFUSED").counter().count();
  }
}
