package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestJwts;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.HaipTestClient;
import io.switchboard.hub.testing.MonitorTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Identities, roles and permissions over real HAIP and /ws sockets on a node that accepts HS256 (a secret), ES256 (a
 * PEM public key) and RS256 (a JWKS the test serves on loopback), with an issuer, an audience and a 5 s clock skew:
 * each kind of bad token gets FAILED_AUTH naming its reason (counted, close 1008); each permission refusal is an
 * UNAUTHORIZED naming the tool or execution, counted, and the session carries on.
 */
class AuthOverHaipTest {
  static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";
  static final String ISS = "https://issuer.test";
  static final String AUD = "switchboard";
  static TestNodes.Cluster cluster;
  static SwitchboardNode node;
  static Vertx vertx;
  static HttpServer jwksServer;
  static final AtomicReference<JsonArray> jwks = new AtomicReference<>(new JsonArray());
  static TestJwts.Signer hs;
  static TestJwts.Signer rs;
  static TestJwts.Signer es;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    hs = TestJwts.hs256(vertx, SECRET);
    rs = TestJwts.rs256(vertx, "rsa-1");
    es = TestJwts.es256(vertx);
    jwks.set(new JsonArray().add(rs.jwk));
    int jwksPort = TestNodes.freePort();
    jwksServer = Await.await(vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("content-type", "application/json").end(new JsonObject().put("keys", jwks.get()).encode()))
        .listen(jwksPort, "127.0.0.1"));
    cluster = new TestNodes.Cluster();
    Map<String, Object> cfg = new HashMap<>();
    cfg.put("auth.jwt.secret", SECRET);
    cfg.put("auth.jwt.publicKey", es.publicPem);
    cfg.put("auth.jwt.publicKeyAlgorithm", "es256");
    cfg.put("auth.jwt.jwksUrl", "http://127.0.0.1:" + jwksPort + "/jwks.json");
    cfg.put("auth.jwt.issuer", ISS);
    cfg.put("auth.jwt.audience", AUD);
    cfg.put("auth.jwt.clockSkew", "5s");
    cfg.put("auth.adminTokens", "admin-token-1");
    node = cluster.start("auth", List.of(new HubService()), cfg);
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  static JsonObject claims(String sub, String... roles) {
    return TestJwts.claims(sub, ISS, AUD, roles);
  }

  static HaipTestClient hai(String token, JsonObject payload) {
    HaipTestClient c = HaipTestClient.connect(vertx, node.httpPort(), "/haip");
    c.send("HAI", null, payload.put("auth", new JsonObject().put("token", "Bearer " + token)));
    return c;
  }

  static HaipTestClient client(String token) {
    return hai(token, HaipTestClient.clientHai());
  }

  static JsonArray tools(String... names) {
    JsonArray a = new JsonArray();
    for (String n : names) {
      a.add(new JsonObject().put("name", n).put("description", "test tool " + n)
          .put("inputSchema", new JsonObject().put("type", "object")));
    }
    return a;
  }

  static double refusals(String reason) {
    Counter c = node.context().metrics().registry().find("switchboard.auth.refusals").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  static long errors(String code) {
    return node.context().counters().errors(code);
  }

  /** A HAI with this token is refused with FAILED_AUTH naming {@code reason}, counted, and the socket closes 1008. */
  static void refused(String token, String reason) {
    double before = refusals(reason);
    try (HaipTestClient c = client(token)) {
      JsonObject err = c.error(ErrorCodes.FAILED_AUTH);
      assertThat(err.getJsonObject("payload").getString("message")).contains(reason);
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
    }
    assertThat(refusals(reason)).isEqualTo(before + 1);
  }

  @Test
  void validTokensOfEachKeyKindOpenASession() {
    for (String token : List.of(hs.sign(claims("hs-user", "client")), es.sign(claims("es-user", "client")),
        rs.sign(claims("rs-user", "client")))) {
      try (HaipTestClient c = client(token)) {
        c.echoRoundTrip("hello");
      }
    }
  }

  @Test
  void expiredAndNotYetValidTokensAreRefused() {
    long now = System.currentTimeMillis() / 1000;
    refused(hs.sign(claims("u", "client").put("exp", now - 60)), "EXPIRED");
    refused(rs.sign(claims("u", "client").put("nbf", now + 120)), "NOT_YET_VALID");
    // within the 5 s skew: accepted
    try (HaipTestClient c = client(hs.sign(claims("u", "client").put("nbf", now + 2)))) {
      c.echoRoundTrip("inside the skew");
    }
  }

  @Test
  void wrongAudienceIssuerSignatureAndAlgNoneAreRefused() {
    refused(hs.sign(claims("u", "client").put("aud", "someone-else")), "WRONG_AUDIENCE");
    refused(es.sign(claims("u", "client").put("iss", "https://evil.test")), "WRONG_ISSUER");
    refused(TestJwts.hs256(vertx, "another-secret-that-is-32-bytes-long!").sign(claims("u", "client")), "BAD_SIGNATURE");
    refused(TestJwts.rs256(vertx, "rsa-1").sign(claims("u", "client")), "BAD_SIGNATURE");
    refused(TestJwts.unsigned(claims("u", "client", "admin")), "ALG_REFUSED");
  }

  @Test
  void missingClaimsAreRefused() {
    JsonObject noSub = claims("u", "client");
    noSub.remove("sub");
    refused(hs.sign(noSub), "MISSING_CLAIM");
    JsonObject noRoles = claims("u", "client");
    noRoles.remove("roles");
    refused(hs.sign(noRoles), "MISSING_CLAIM");
    JsonObject noExp = claims("u", "client");
    noExp.remove("exp");
    refused(hs.sign(noExp), "MISSING_CLAIM");
    refused(hs.sign(claims("u", "superuser")), "INVALID_CLAIM");
  }

  @Test
  void noCredentialAndUnknownTokenAreRefused() {
    double before = refusals("MISSING_CREDENTIAL");
    try (HaipTestClient c = HaipTestClient.open(vertx, node.httpPort(), HaipTestClient.clientHai())) {
      assertThat(c.error(ErrorCodes.FAILED_AUTH).getJsonObject("payload").getString("message")).contains("MISSING_CREDENTIAL");
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
    }
    assertThat(refusals("MISSING_CREDENTIAL")).isEqualTo(before + 1);
    refused("not-a-known-token", "MALFORMED_TOKEN");
  }

  @Test
  void aRotatedJwksKeyIsFetchedWhenATokenNamesItsKid() {
    TestJwts.Signer rotated = TestJwts.rs256(vertx, "rsa-2");
    jwks.set(new JsonArray().add(rs.jwk).add(rotated.jwk));
    // the unknown kid makes the node fetch the JWKS again (at most every 10 s): wait for it rather than assume
    eventually(20_000, () -> {
      try (HaipTestClient c = client(rotated.sign(claims("rotated", "client")))) {
        c.send("TOOL_LIST", null, new JsonObject());
        return "TOOL_LIST".equals(c.next(f -> "TOOL_LIST".equals(f.getString("type")) || "ERROR".equals(f.getString("type")))
            .getString("type"));
      } catch (IllegalStateException refusedAndClosed) {
        // the node refused the token (kid not fetched yet) and closed the socket before the TOOL_LIST was written
        return false;
      }
    }, () -> "a token signed by the rotated JWKS key was never accepted");
  }

  @Test
  void aClientCallingAForbiddenToolGetsUnauthorizedAndCarriesOn() {
    try (HaipTestClient agent = hai(hs.sign(claims("tool-owner", "agent")), HaipTestClient.agentHai(tools("secret.tool")));
         HaipTestClient c = client(hs.sign(claims("narrow", "client").put("tools_call", new JsonArray().add("echo"))))) {
      HaipTestClient admin = client("admin-token-1");
      eventually(() -> assertThat(admin.toolNames()).contains("secret.tool"));
      admin.close();
      long before = errors(ErrorCodes.UNAUTHORIZED);
      JsonObject start = c.send("TRANSACTION_START", "ref-1", new JsonObject().put("toolName", "secret.tool"));
      JsonObject err = c.error(ErrorCodes.UNAUTHORIZED);
      assertThat(err.getJsonObject("payload").getString("message")).contains("secret.tool");
      assertThat(err.getJsonObject("payload").getString("related_id")).isEqualTo(start.getString("id"));
      assertThat(errors(ErrorCodes.UNAUTHORIZED)).isEqualTo(before + 1);
      assertThat(c.toolNames()).containsExactly("echo");
      assertThat(agent.poll(f -> "TRANSACTION_START".equals(f.getString("type")), 300)).isNull();
      c.echoRoundTrip("still serving");
    }
  }

  @Test
  void anAgentOfferingAForbiddenToolGetsUnauthorizedForThatToolOnly() {
    long before = errors(ErrorCodes.UNAUTHORIZED);
    JsonObject token = claims("weather-agent", "agent", "client").put("tools_offer", "weather.*");
    try (HaipTestClient agent = hai(hs.sign(token), HaipTestClient.agentHai(tools("weather.now", "db.drop")))) {
      JsonObject err = agent.error(ErrorCodes.UNAUTHORIZED);
      assertThat(err.getJsonObject("payload").getString("message")).contains("db.drop").doesNotContain("weather.now");
      assertThat(errors(ErrorCodes.UNAUTHORIZED)).isEqualTo(before + 1);
      eventually(() -> assertThat(agent.toolNames()).contains("weather.now").doesNotContain("db.drop"));
      agent.echoRoundTrip("agent still serving");
    }
    // a credential without the agent role may not offer at all
    try (HaipTestClient notAgent = hai(hs.sign(claims("plain", "client")), HaipTestClient.agentHai(tools("x.y")))) {
      assertThat(notAgent.error(ErrorCodes.UNAUTHORIZED).getJsonObject("payload").getString("message")).contains("agent role");
      notAgent.echoRoundTrip("client still serving");
    }
  }

  @Test
  void anotherIdentityCannotTakeOverAToolButTheSameIdentityMayAddProviders() {
    try (HaipTestClient alice = hai(hs.sign(claims("alice", "agent")), HaipTestClient.agentHai(tools("payments.charge")));
         HaipTestClient c = client("admin-token-1")) {
      eventually(() -> assertThat(c.toolNames()).contains("payments.charge"));
      HaipTestClient mallory = hai(hs.sign(claims("mallory", "agent", "client")), HaipTestClient.agentHai(tools("payments.charge")));
      assertThat(mallory.error(ErrorCodes.UNAUTHORIZED).getJsonObject("payload").getString("message"))
          .contains("payments.charge").contains("another identity");
      mallory.echoRoundTrip("mallory's session carries on");
      HaipTestClient alice2 = hai(rs.sign(claims("alice", "agent")), HaipTestClient.agentHai(tools("payments.charge")));
      assertThat(alice2.poll(f -> "ERROR".equals(f.getString("type")), 500)).isNull();
      // every call reaches alice's agents, none mallory
      for (int i = 0; i < 6; i++) {
        String tx = c.start("payments.charge", new JsonObject());
        c.send("TRANSACTION_END", tx, new JsonObject());
      }
      assertThat(mallory.poll(f -> "TRANSACTION_START".equals(f.getString("type"))
          && "payments.charge".equals(f.getJsonObject("payload").getString("toolName")), 500)).isNull();
      assertThat(alice.poll(f -> "TRANSACTION_START".equals(f.getString("type")), 100)
          != null || alice2.poll(f -> "TRANSACTION_START".equals(f.getString("type")), 100) != null).isTrue();
      mallory.close();
      alice2.close();
    }
  }

  @Test
  void monitorsSeeOnlyTheExecutionsAndEventsTheirClaimsAllow() {
    try (HaipTestClient agent = hai(hs.sign(claims("hr-agent", "agent")), HaipTestClient.agentHai(tools("hr.salaries")));
         HaipTestClient c = client("admin-token-1");
         MonitorTestClient narrow = MonitorTestClient.connect(vertx, node.httpPort(),
             hs.sign(claims("watcher", "monitor").put("tools_watch", new JsonArray().add("echo"))));
         MonitorTestClient admin = MonitorTestClient.connect(vertx, node.httpPort(), "admin-token-1")) {
      eventually(() -> assertThat(c.toolNames()).contains("hr.salaries"));
      String secret = c.start("hr.salaries", new JsonObject());
      agent.next("TRANSACTION_START");
      String open = c.start("echo", null);
      long before = errors(ErrorCodes.UNAUTHORIZED);

      narrow.send(new JsonObject().put("type", "subscribe").put("executionId", secret));
      JsonObject err = narrow.error(ErrorCodes.UNAUTHORIZED);
      assertThat(err.getString("executionId")).isEqualTo(secret);
      assertThat(err.getJsonObject("data").getString("message")).contains("hr.salaries");
      assertThat(errors(ErrorCodes.UNAUTHORIZED)).isEqualTo(before + 1);

      narrow.send(new JsonObject().put("type", "subscribe").put("executionId", open));
      narrow.next(f -> "subscribed".equals(f.getString("type")) && open.equals(f.getString("executionId")));
      narrow.next(f -> "status".equals(f.getString("type")) && open.equals(f.getString("executionId")));
      admin.send(new JsonObject().put("type", "subscribe").put("executionId", secret));
      admin.next(f -> "status".equals(f.getString("type")) && secret.equals(f.getString("executionId")));
      assertThat(narrow.seen()).noneMatch(f -> secret.equals(f.getString("executionId")) && !"error".equals(f.getString("type")));

      // topic events: the narrow monitor sees only events naming echo, never a remote address; the admin sees all
      narrow.send(new JsonObject().put("type", "subscribe").put("topic", "events"));
      narrow.next(f -> "subscribed".equals(f.getString("type")));
      admin.send(new JsonObject().put("type", "subscribe").put("topic", "events"));
      admin.next(f -> "subscribed".equals(f.getString("type")) && "events".equals(f.getString("topic")));
      try (HaipTestClient late = client("admin-token-1")) {
        late.start("hr.salaries", new JsonObject());
        late.start("echo", null);
        JsonObject connect = admin.next(f -> "event".equals(f.getString("type"))
            && "connect".equals(f.getJsonObject("data").getString("type")));
        assertThat(connect.getJsonObject("data").getString("remote")).contains("127.0.0.1");
        admin.next(f -> "event".equals(f.getString("type")) && "hr.salaries".equals(f.getJsonObject("data").getString("toolName")));
        narrow.next(f -> "event".equals(f.getString("type")) && "echo".equals(f.getJsonObject("data").getString("toolName")));
        assertThat(narrow.seen()).noneMatch(f -> "event".equals(f.getString("type"))
            && (f.getJsonObject("data").containsKey("remote") || "hr.salaries".equals(f.getJsonObject("data").getString("toolName"))));
      }
    }
  }

  @Test
  void aRestrictedMonitorJoiningExecutionsTheNodeWatchesGetsItsVerdictAndNothingItMayNotSee() {
    try (HaipTestClient agent = hai(hs.sign(claims("hr-agent-2", "agent")), HaipTestClient.agentHai(tools("hr.bonuses")));
         HaipTestClient c = client("admin-token-1");
         MonitorTestClient admin = MonitorTestClient.connect(vertx, node.httpPort(), "admin-token-1");
         MonitorTestClient narrow = MonitorTestClient.connect(vertx, node.httpPort(),
             hs.sign(claims("watcher-2", "monitor").put("tools_watch", new JsonArray().add("echo"))))) {
      eventually(() -> assertThat(c.toolNames()).contains("hr.bonuses"));
      String secret = c.start("hr.bonuses", new JsonObject());
      agent.next("TRANSACTION_START");
      String open = c.start("echo", null);
      // the admin's sockets make the node watch both executions before the restricted socket asks
      for (String tx : List.of(secret, open)) {
        admin.send(new JsonObject().put("type", "subscribe").put("executionId", tx));
        admin.next(f -> "status".equals(f.getString("type")) && tx.equals(f.getString("executionId")));
      }
      long before = errors(ErrorCodes.UNAUTHORIZED);
      narrow.send(new JsonObject().put("type", "subscribe").put("executionId", secret));
      assertThat(narrow.error(ErrorCodes.UNAUTHORIZED).getString("executionId")).isEqualTo(secret);
      assertThat(errors(ErrorCodes.UNAUTHORIZED)).isEqualTo(before + 1);
      narrow.send(new JsonObject().put("type", "subscribe").put("executionId", open));
      narrow.next(f -> "subscribed".equals(f.getString("type")) && open.equals(f.getString("executionId")));
      assertThat(narrow.next(f -> "status".equals(f.getString("type"))).getString("executionId")).isEqualTo(open);
      c.send("MESSAGE", secret, "for hr only");
      agent.next("MESSAGE");
      c.send("MESSAGE", open, "for anyone");
      c.next("MESSAGE");
      narrow.next(f -> "log".equals(f.getString("type")) && open.equals(f.getString("executionId")));
      admin.next(f -> "log".equals(f.getString("type")) && secret.equals(f.getString("executionId")));
      assertThat(narrow.seen()).noneMatch(f -> secret.equals(f.getString("executionId")) && !"error".equals(f.getString("type")));
    }
  }

  @Test
  void monitorUpgradesNeedAMonitorCredential() {
    long before = errors(ErrorCodes.FAILED_AUTH);
    upgradeRefused(null, 401, "MISSING_CREDENTIAL");
    upgradeRefused(hs.sign(claims("c", "client")), 403, "FORBIDDEN");
    upgradeRefused(hs.sign(claims("m", "monitor").put("exp", System.currentTimeMillis() / 1000 - 100)), 401, "EXPIRED");
    assertThat(errors(ErrorCodes.FAILED_AUTH)).isEqualTo(before + 2);
  }

  static void upgradeRefused(String credential, int status, String text) {
    assertThatThrownBy(() -> MonitorTestClient.connect(vertx, node.httpPort(), credential))
        .hasCauseInstanceOf(UpgradeRejectedException.class)
        .satisfies(e -> {
          UpgradeRejectedException u = (UpgradeRejectedException) e.getCause();
          assertThat(u.getStatus()).isEqualTo(status);
          JsonObject err = new JsonObject(u.getBody().toString()).getJsonObject("error");
          assertThat(err.getInteger("status")).isEqualTo(status);
          assertThat(err.getString("code") + " " + err.getString("message")).contains(text);
        });
  }
}
