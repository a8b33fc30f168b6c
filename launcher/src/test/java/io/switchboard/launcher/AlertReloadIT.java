package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changing alert rules at runtime, with two real node processes (hub, stats, alert each) sharing one configuration
 * file, a webhook receiver and an SMTP server (GreenMail) in this JVM: a firing alert whose rule a reload removes
 * resolves exactly once with reason "rule removed" on the event bus (the SockJS bridge), on /ws, at the webhook and
 * by mail; a reload that does not validate answers 422 naming the rule and changes nothing; SIGHUP reloads; after
 * the leader is SIGKILLed, the standby leads with the reloaded rules.
 */
class AlertReloadIT {
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String PASSWORD = "smtp-Secret-" + UUID.randomUUID().toString().substring(0, 8);

  private final List<JsonObject> hooks = new CopyOnWriteArrayList<>();
  private final List<JsonObject> bus = new CopyOnWriteArrayList<>();
  private final List<JsonObject> ws = new CopyOnWriteArrayList<>();
  private GreenMail mail;

  @Test
  void aRemovedRuleResolvesOnceEverywhereABadReloadChangesNothingAndTheNextLeaderKeepsTheReloadedRules(@TempDir Path dir)
      throws Exception {
    HttpServer hookServer = HttpServer.create(new InetSocketAddress("127.0.0.1", TestNodes.freePort()), 0);
    hookServer.createContext("/hook", ex -> {
      hooks.add(new JsonObject(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    hookServer.start();
    int smtpPort = TestNodes.freePort();
    mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", "smtp"));
    mail.start();
    mail.setUser("oncall@example.com", "alerts", PASSWORD);
    JsonArray sinks = new JsonArray()
        .add(new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:" + hookServer.getAddress().getPort() + "/hook")
            .put("backoffInitial", "100ms"))
        .add(new JsonObject().put("type", "email").put("host", "127.0.0.1").put("port", smtpPort).put("tls", "none")
            .put("username", "alerts").put("password", PASSWORD).put("from", "switchboard@example.com")
            .put("to", "oncall@example.com").put("backoffInitial", "100ms"));
    JsonObject keeper = rule("Keeper", "nodes", ">=", 100);
    Path file = dir.resolve("switchboard.yaml");
    write(file, sinks, rule("ReloadProbe", "nodes", ">=", 1), keeper);

    String cluster = "reload-" + UUID.randomUUID().toString().substring(0, 8);
    int clusterPort = TestNodes.freePortRange(8);
    NodeProcess a = null;
    NodeProcess b = null;
    try {
      a = start(cluster, clusterPort, "reload-a", file);
      b = start(cluster, clusterPort, "reload-b", file);
      NodeProcess fa = a;
      NodeProcess fb = b;
      a.awaitReady(START);
      b.awaitReady(START);
      Await.waitFor(WAIT, () -> fa.clusterSize() == 2 && fb.clusterSize() == 2, () -> "two members\n" + fa.tail() + fb.tail());
      Await.waitFor(WAIT, () -> active(fa).contains("ReloadProbe"), () -> "ReloadProbe never fired\n" + fa.tail() + fb.tail());
      String firstLeader = leaderName(fa);
      NodeProcess leader = "reload-a".equals(firstLeader) ? a : b;
      NodeProcess standby = leader == a ? b : a;
      Await.waitFor(WAIT, () -> mail.getReceivedMessages().length >= 1 && hooks.stream().anyMatch(h -> isEvent(h, "ReloadProbe", "firing")),
          "the firing did not reach the webhook and the mail server");

      // watch the bus (SockJS bridge) and /ws on the standby, which survives
      WebSocket busSocket = openBus(standby.httpPort);
      busSocket.sendText(new JsonObject().put("type", "register").put("address", "switchboard.alerts").encode(), true).join();
      busSocket.sendText(new JsonObject().put("type", "register").put("address", "switchboard.stats.cluster").encode(), true).join();
      WebSocket monitor = TextWebSocket.open(standby.httpPort, "/ws", t -> ws.add(new JsonObject(t)), new CompletableFuture<>());
      monitor.sendText(new JsonObject().put("type", "subscribe").put("topic", "alerts").encode(), true).join();
      Await.waitFor(WAIT, () -> bus.stream().anyMatch(f -> "switchboard.stats.cluster".equals(f.getString("address")))
          && ws.stream().anyMatch(f -> "subscribed".equals(f.getString("type"))), "the bridge and /ws did not start");

      // a reload removes ReloadProbe and adds NodeGone
      write(file, sinks, keeper, rule("NodeGone", "nodesDown", ">=", 1));
      NodeProcess.Response reloaded = post(standby, "/alerts/rules/reload");
      assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(200);
      assertThat(new JsonObject(reloaded.body()).getJsonArray("removed").getList()).containsExactly("ReloadProbe");
      Predicate<JsonObject> removed = e -> isEvent(e, "ReloadProbe", "resolved") && "rule removed".equals(e.getString("reason"));
      Await.waitFor(WAIT, () -> busEvents().stream().anyMatch(removed) && wsEvents().stream().anyMatch(removed)
          && hooks.stream().anyMatch(removed) && mails("[RESOLVED]", "ReloadProbe") == 1,
          () -> "the resolution did not arrive everywhere: bus " + busEvents() + " ws " + wsEvents() + " hooks " + hooks);
      // a few more evaluations (stats publications) pass: still exactly one, everywhere
      int seen = statsFrames();
      Await.waitFor(WAIT, () -> statsFrames() >= seen + 3, "stats stopped");
      assertThat(busEvents().stream().filter(removed)).hasSize(1);
      assertThat(wsEvents().stream().filter(removed)).hasSize(1);
      assertThat(hooks.stream().filter(removed)).hasSize(1);
      assertThat(mails("[RESOLVED]", "ReloadProbe")).isEqualTo(1);
      assertThat(mails("", "reason: rule removed")).isEqualTo(1);
      assertThat(active(standby)).doesNotContain("ReloadProbe");

      // a reload that does not validate changes nothing and names the rule
      write(file, sinks, keeper, rule("NodeGone", "nodesDown", ">=", 1), rule("BadRule", "nodes", "=>", 1));
      NodeProcess.Response bad = post(standby, "/alerts/rules/reload");
      assertThat(bad.status()).as(bad.body()).isEqualTo(422);
      JsonObject err = new JsonObject(bad.body()).getJsonObject("error");
      assertThat(err.getString("code")).isEqualTo("INVALID_RULES");
      assertThat(err.getString("message")).contains("BadRule").contains("=>");
      assertThat(ruleNames(standby)).containsExactly("Keeper", "NodeGone");

      // SIGHUP reloads too (on every replica)
      write(file, sinks, keeper, rule("NodeGone", "nodesDown", ">=", 1), rule("HupRule", "nodes", ">=", 100));
      int leaderReloads = count(leader.output(), "alert rules reloaded");
      if (standby.output().contains(ProcessSignals.HUP_IGNORED)) {
        // this test run was started with SIGHUP ignored (under nohup), which its node processes inherit: the node
        // says so at start and SIGHUP cannot reach it; the HTTP reload carries on for the rest of the test
        NodeProcess.Response viaHttp = post(standby, "/alerts/rules/reload");
        assertThat(viaHttp.status()).as(viaHttp.body()).isEqualTo(200);
        Await.waitFor(WAIT, () -> count(leader.output(), "alert rules reloaded") > leaderReloads
            && ruleNames(standby).contains("HupRule"), () -> "the reload did not reach both replicas\n" + leader.tail());
      } else {
        Process hup = new ProcessBuilder("kill", "-HUP", String.valueOf(standby.pid())).start();
        assertThat(hup.waitFor()).isZero();
        Await.waitFor(WAIT, () -> standby.output().contains("SIGHUP: alert rules reloaded")
            && count(leader.output(), "alert rules reloaded") > leaderReloads && ruleNames(standby).contains("HupRule"),
            () -> "SIGHUP did not reload on both replicas\n" + standby.tail() + leader.tail());
      }
      assertThat(standby.alive()).isTrue();

      // the leader dies; the standby leads with the reloaded rules: NodeGone (added by the reload) fires
      leader.kill();
      Await.waitFor(WAIT, () -> standby.name.equals(leaderName(standby)),
          () -> "the standby did not take over\n" + standby.tail());
      Await.waitFor(WAIT, () -> busEvents().stream().anyMatch(e -> isEvent(e, "NodeGone", "firing")),
          () -> "the new leader did not fire the reloaded rule NodeGone: " + busEvents() + "\n" + standby.tail());
      assertThat(busEvents().stream().filter(e -> isEvent(e, "ReloadProbe", "firing"))).isEmpty();
      assertThat(standby.output()).doesNotContain(PASSWORD);
      busSocket.abort();
      monitor.abort();
    } finally {
      for (NodeProcess n : new NodeProcess[] {a, b}) {
        if (n != null) {
          n.close();
          assertThat(n.output()).doesNotContain(PASSWORD);
        }
      }
      hookServer.stop(0);
      mail.stop();
    }
  }

  private static NodeProcess start(String cluster, int clusterPort, String name, Path file) throws Exception {
    int port = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env(cluster, clusterPort, name, port);
    return NodeProcess.start(name, port, env, "--config", file.toString());
  }

  /**
   * The alert leader's name as a node answers it; null while it cannot say (a killed member is still listed for
   * up to cluster.memberTimeout, and a query routed to it times out: 503).
   */
  private static String leaderName(NodeProcess n) {
    NodeProcess.Response r = n.get("/alerts/status");
    JsonObject leader = r.status() == 200 ? new JsonObject(r.body()).getJsonObject("leader") : null;
    return leader == null ? null : leader.getString("name");
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static JsonObject rule(String name, String expr, String op, double threshold) {
    return new JsonObject().put("name", name).put("expr", expr).put("op", op).put("threshold", threshold);
  }

  /** The configuration file (JSON is YAML): these rules and sinks, evaluated every 200 ms. */
  private static void write(Path file, JsonArray sinks, JsonObject... rules) throws Exception {
    JsonObject cfg = new JsonObject().put("alert", new JsonObject().put("evaluationInterval", "200ms")
        .put("rules", new JsonArray(List.of((Object[]) rules))).put("sinks", sinks));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, cfg.encodePrettily());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static NodeProcess.Response post(NodeProcess n, String path) {
    return n.request(HttpRequest.newBuilder(URI.create(n.url(path))).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  private static List<String> active(NodeProcess n) {
    NodeProcess.Response r = n.get("/alerts");
    if (r.status() != 200) {
      return List.of();
    }
    return new JsonObject(r.body()).getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("rule")).toList();
  }

  private static List<String> ruleNames(NodeProcess n) {
    return n.json("/alerts/rules").getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("name")).toList();
  }

  private static boolean isEvent(JsonObject e, String rule, String state) {
    return rule.equals(e.getString("rule")) && state.equals(e.getString("state"));
  }

  private List<JsonObject> busEvents() {
    return bus.stream().filter(f -> "switchboard.alerts".equals(f.getString("address")))
        .map(f -> f.getJsonObject("body")).toList();
  }

  private int statsFrames() {
    return (int) bus.stream().filter(f -> "switchboard.stats.cluster".equals(f.getString("address"))).count();
  }

  private List<JsonObject> wsEvents() {
    return ws.stream().filter(f -> "alert".equals(f.getString("type"))).map(f -> f.getJsonObject("data")).toList();
  }

  private int mails(String subjectPrefix, String text) {
    int n = 0;
    for (MimeMessage m : mailsIn()) {
      try {
        String all = GreenMailUtil.getWholeMessage(m);
        if (m.getSubject().startsWith(subjectPrefix) && (m.getSubject().contains(text) || all.contains(text))) {
          n++;
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return n;
  }

  private MimeMessage[] mailsIn() {
    return mail.getReceivedMessages();
  }

  /** A SockJS raw WebSocket to the event-bus bridge; every frame lands in {@link #bus}. */
  private WebSocket openBus(int port) {
    return TextWebSocket.open(port, "/eventbus/websocket", t -> bus.add(new JsonObject(t)), new CompletableFuture<>());
  }
}
