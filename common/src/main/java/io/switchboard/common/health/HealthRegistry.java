package io.switchboard.common.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The node's health checks, for the probes. A check belongs to one or more probes (live, ready, startup) and is
 * critical (DOWN → probe 503) or not (DOWN → probe 200 with status "degraded"). Each check gets
 * {@link #CHECK_TIMEOUT_MS}; a check that times out or throws counts as DOWN, never as a 500.
 */
public final class HealthRegistry {
  public static final long CHECK_TIMEOUT_MS = 1000;

  public enum Probe { LIVE, READY, STARTUP }

  /** One registered check. */
  public record Check(String id, boolean critical, Set<Probe> probes, Supplier<Future<CheckResult>> procedure) {}

  /** The outcome of a probe: overall status and per-check details. */
  public record Report(String status, int httpStatus, JsonArray checks) {
    public JsonObject toJson() {
      return new JsonObject().put("status", status).put("checks", checks);
    }

    public boolean ok() {
      return httpStatus == 200;
    }
  }

  private final Vertx vertx;
  private final List<Check> checks = new CopyOnWriteArrayList<>();

  public HealthRegistry(Vertx vertx) {
    this.vertx = vertx;
  }

  public void register(String id, boolean critical, Set<Probe> probes, Supplier<Future<CheckResult>> procedure) {
    checks.removeIf(c -> c.id().equals(id));
    checks.add(new Check(id, critical, EnumSet.copyOf(probes), procedure));
  }

  public void unregister(String id) {
    checks.removeIf(c -> c.id().equals(id));
  }

  public Future<Report> run(Probe probe) {
    List<Check> selected = new ArrayList<>();
    for (Check c : checks) {
      if (c.probes().contains(probe)) {
        selected.add(c);
      }
    }
    List<Future<JsonObject>> results = new ArrayList<>();
    for (Check c : selected) {
      results.add(runOne(c));
    }
    return Future.join(results).transform(ignored -> {
      JsonArray out = new JsonArray();
      boolean criticalDown = false;
      boolean anyDown = false;
      for (int i = 0; i < selected.size(); i++) {
        JsonObject r = results.get(i).result();
        out.add(r);
        if (!"UP".equals(r.getString("status"))) {
          anyDown = true;
          criticalDown |= selected.get(i).critical();
        }
      }
      String status = criticalDown ? "DOWN" : anyDown ? "degraded" : "UP";
      return Future.succeededFuture(new Report(status, criticalDown ? 503 : 200, out));
    });
  }

  private Future<JsonObject> runOne(Check c) {
    Promise<JsonObject> p = Promise.promise();
    long timer = vertx.setTimer(CHECK_TIMEOUT_MS, t -> p.tryComplete(entry(c, "DOWN",
        new JsonObject().put("reason", "check timed out after " + CHECK_TIMEOUT_MS + " ms"))));
    Future<CheckResult> f;
    try {
      f = c.procedure().get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        CheckResult r = ar.result();
        p.tryComplete(entry(c, r.isUp() ? "UP" : "DOWN", r.data()));
      } else {
        p.tryComplete(entry(c, "DOWN", new JsonObject().put("reason", String.valueOf(ar.cause().getMessage()))));
      }
    });
    return p.future();
  }

  private static JsonObject entry(Check c, String status, JsonObject data) {
    return new JsonObject().put("id", c.id()).put("status", status).put("critical", c.critical())
        .put("data", data == null ? new JsonObject() : data);
  }
}
