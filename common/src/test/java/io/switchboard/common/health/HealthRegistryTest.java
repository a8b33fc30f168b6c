package io.switchboard.common.health;

import static io.switchboard.common.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.health.HealthRegistry.Probe;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The probe contract: critical DOWN gives 503, non-critical DOWN gives 200 "degraded", a check that never answers is DOWN. */
class HealthRegistryTest {
  Vertx vertx;
  HealthRegistry health;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    health = new HealthRegistry(vertx);
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  private JsonObject check(HealthRegistry.Report r, String id) {
    for (int i = 0; i < r.checks().size(); i++) {
      if (id.equals(r.checks().getJsonObject(i).getString("id"))) {
        return r.checks().getJsonObject(i);
      }
    }
    throw new AssertionError("no check " + id + " in " + r.toJson());
  }

  @Test
  void everyCheckUpIsUp() {
    health.register("a", true, EnumSet.of(Probe.READY), p -> p.complete(Status.OK(new JsonObject().put("x", 1))));
    health.register("b", false, EnumSet.of(Probe.READY, Probe.LIVE), p -> p.complete(Status.OK()));
    HealthRegistry.Report r = await(health.run(Probe.READY));
    assertThat(r.status()).isEqualTo("UP");
    assertThat(r.httpStatus()).isEqualTo(200);
    assertThat(check(r, "a").getJsonObject("data").getInteger("x")).isEqualTo(1);
    assertThat(await(health.run(Probe.LIVE)).checks()).hasSize(1);
    assertThat(await(health.run(Probe.STARTUP)).status()).isEqualTo("UP");
  }

  @Test
  void aNonCriticalCheckDownIsDegradedWith200() {
    health.register("a", true, EnumSet.of(Probe.READY), p -> p.complete(Status.OK()));
    health.register("b", false, EnumSet.of(Probe.READY), p -> p.complete(HealthRegistry.down("stale")));
    HealthRegistry.Report r = await(health.run(Probe.READY));
    assertThat(r.status()).isEqualTo("degraded");
    assertThat(r.httpStatus()).isEqualTo(200);
    assertThat(check(r, "b").getString("status")).isEqualTo("DOWN");
    assertThat(check(r, "b").getBoolean("critical")).isFalse();
    assertThat(check(r, "b").getJsonObject("data").getString("reason")).isEqualTo("stale");
  }

  @Test
  void aCriticalCheckDownIs503() {
    health.register("a", true, EnumSet.of(Probe.READY), p -> p.complete(HealthRegistry.down("no")));
    health.register("b", false, EnumSet.of(Probe.READY), p -> p.complete(Status.OK()));
    HealthRegistry.Report r = await(health.run(Probe.READY));
    assertThat(r.status()).isEqualTo("DOWN");
    assertThat(r.httpStatus()).isEqualTo(503);
  }

  @Test
  void aCheckThatNeverAnswersOrThrowsIsDownNotAnError() {
    health.register("silent", true, EnumSet.of(Probe.LIVE), p -> { });
    health.register("throws", false, EnumSet.of(Probe.LIVE), p -> {
      throw new IllegalStateException("boom");
    });
    HealthRegistry.Report r = await(health.run(Probe.LIVE));
    assertThat(r.httpStatus()).isEqualTo(503);
    assertThat(check(r, "silent").getString("status")).isEqualTo("DOWN");
    assertThat(check(r, "silent").getJsonObject("data").getString("reason")).isEqualTo("check timed out after 1000 ms");
    assertThat(check(r, "throws").getString("status")).isEqualTo("DOWN");
    assertThat(check(r, "throws").getJsonObject("data").getString("reason")).startsWith("check failed");
  }

  @Test
  void aReplacedCheckRunsOnceAndAnUnregisteredOneNotAtAll() {
    health.register("a", true, EnumSet.of(Probe.READY), p -> p.complete(HealthRegistry.down("old")));
    health.register("a", true, EnumSet.of(Probe.READY), p -> p.complete(Status.OK()));
    health.register("gone", true, EnumSet.of(Probe.READY), p -> p.complete(HealthRegistry.down("x")));
    health.unregister("gone");
    HealthRegistry.Report r = await(health.run(Probe.READY));
    assertThat(r.checks()).hasSize(1);
    assertThat(r.status()).isEqualTo("UP");
  }

  @Test
  void theReportToTheClusterGivesEachCheckLessTimeAndSaysSo() {
    health.register("fast", true, EnumSet.of(Probe.READY), p -> p.complete(Status.OK()));
    // answers after the report's limit (and before the probe's own): the report lists it as timed out
    health.register("slow", false, EnumSet.of(Probe.READY), p -> vertx.setTimer(
        (HealthRegistry.REPORT_CHECK_TIMEOUT_MS + HealthRegistry.CHECK_TIMEOUT_MS) / 2, t -> p.tryComplete(Status.OK())));
    HealthRegistry.Report report = await(health.runForReport(Probe.READY));
    assertThat(report.status()).isEqualTo("degraded");
    assertThat(check(report, "slow").getJsonObject("data").getString("reason"))
        .isEqualTo("check timed out after " + HealthRegistry.REPORT_CHECK_TIMEOUT_MS + " ms");
    assertThat(check(report, "fast").getString("status")).isEqualTo("UP");
  }
}
