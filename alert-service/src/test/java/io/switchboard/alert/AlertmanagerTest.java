package io.switchboard.alert;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.alert.TestSupport.Recorder;
import io.switchboard.alert.TestSupport.StatsDriver;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Alertmanager (Debian's prometheus-alertmanager, started here on a free loopback port) receives our alerts
 * through its API v2: active while firing, still active after its resolve_timeout because we re-send, and resolved
 * (with our endsAt) after recovery.
 */
class AlertmanagerTest {
  static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
  static final long RESOLVE_TIMEOUT_MS = 4_000;

  @TempDir
  static Path dir;
  static Process alertmanager;
  static int amPort;
  static TestNodes.Cluster cluster;
  static SwitchboardNode driver;
  static StatsDriver stats;
  static Recorder events;

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(BINARY),
        "skipped: " + BINARY + " is not installed (apt-get install prometheus-alertmanager) — the Alertmanager sink is not tested against a real Alertmanager");
    amPort = TestNodes.freePort();
    Path cfg = dir.resolve("alertmanager.yml");
    Files.writeString(cfg, "global:\n  resolve_timeout: " + (RESOLVE_TIMEOUT_MS / 1000) + "s\n"
        + "route:\n  receiver: blackhole\n  group_wait: 1s\nreceivers:\n  - name: blackhole\n");
    alertmanager = new ProcessBuilder(BINARY.toString(), "--config.file=" + cfg, "--storage.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + amPort, "--cluster.listen-address=", "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
    cluster = new TestNodes.Cluster();
    Map<String, Object> config = Map.of(
        
        "alert.rules", new JsonArray().add(new JsonObject().put("name", "AmRule").put("expr", "errorRate").put("op", ">")
            .put("threshold", 0.05).put("severity", "critical").put("labels", new JsonObject().put("team", "core"))).encode(),
        "alert.evaluationInterval", "100ms",
        "alert.sinks", new JsonArray().add(new JsonObject().put("type", "alertmanager").put("url", "http://127.0.0.1:" + amPort)
            .put("resendInterval", "1s").put("backoffInitial", "100ms")).encode());
    cluster.start("alert", List.of(new AlertService()), config);
    driver = cluster.start("driver", List.of(), Map.of());
    events = new Recorder(driver.vertx());
    stats = new StatsDriver(driver.vertx());
    eventually(15_000, () -> amReady(), () -> "alertmanager did not become ready; see " + dir.resolve("alertmanager.log"));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (stats != null) {
      stats.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (alertmanager != null) {
      alertmanager.destroy();
      if (!alertmanager.waitFor(10, TimeUnit.SECONDS)) {
        alertmanager.destroyForcibly();
      }
    }
  }

  static boolean amReady() {
    try {
      return TestSupport.http(driver.vertx(), HttpMethod.GET, amPort, "/-/ready", null).getInteger("status") == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Our alert as Alertmanager lists it (its API omits resolved alerts), or null. */
  static JsonObject amAlert() {
    JsonObject r = TestSupport.http(driver.vertx(), HttpMethod.GET, amPort, "/api/v2/alerts", null);
    assertThat(r.getInteger("status")).isEqualTo(200);
    for (Object o : new JsonArray(r.getString("body"))) {
      JsonObject a = (JsonObject) o;
      if ("AmRule".equals(a.getJsonObject("labels").getString("alertname"))) {
        return a;
      }
    }
    return null;
  }

  @Test
  void alertmanagerShowsTheAlertActiveKeepsItPastResolveTimeoutAndResolvesItOnRecovery() {
    long breachAt = System.currentTimeMillis();
    stats.set("errorRate", 0.5);
    eventually(10_000, () -> amAlert() != null, () -> "alert never reached Alertmanager");
    long seenAt = System.currentTimeMillis();
    eventually(5_000, () -> events.first("AmRule", "firing") != null, () -> "no firing event on the bus");
    System.out.println("[figure] breach to alert visible in Alertmanager (GET /api/v2/alerts): " + (seenAt - breachAt) + " ms; to bus event: "
        + (events.first("AmRule", "firing").at() - breachAt) + " ms");
    JsonObject a = amAlert();
    assertThat(a.getJsonObject("status").getString("state")).isEqualTo("active");
    assertThat(a.getJsonObject("labels").getMap()).containsEntry("severity", "critical").containsEntry("team", "core");
    assertThat(a.getJsonObject("annotations").getString("summary")).isNotEmpty();
    assertThat(Instant.parse(a.getString("startsAt")).toEpochMilli()).isEqualTo(events.of("AmRule", "firing").get(0).startsAt());

    // beyond resolve_timeout (4 s) it stays active: the sink re-sends every second. Checked at every poll.
    String lastEndsAt = a.getString("endsAt");
    while (System.currentTimeMillis() < seenAt + RESOLVE_TIMEOUT_MS + 2_000) {
      JsonObject now = amAlert();
      assertThat(now).as("alert vanished from Alertmanager while firing").isNotNull();
      assertThat(now.getJsonObject("status").getString("state")).isEqualTo("active");
      lastEndsAt = now.getString("endsAt");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }

    stats.set("errorRate", 0.0);
    eventually(5_000, () -> !events.of("AmRule", "resolved").isEmpty(), () -> "no resolved event");
    long resolvedAt = events.first("AmRule", "resolved").at();
    eventually(10_000, () -> amAlert() == null, () -> "alert still active in Alertmanager after recovery");
    long goneAt = System.currentTimeMillis();
    System.out.println("[figure] resolved event to alert gone from Alertmanager: " + (goneAt - resolvedAt) + " ms");
    // gone before Alertmanager's own expiry of the last re-send: it was resolved by our endsAt, not by resolve_timeout
    assertThat(goneAt).isLessThan(Instant.parse(lastEndsAt).toEpochMilli());
  }
}
