package io.switchboard.common.health;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's health checks, for the probes, held in Vert.x Health Checks (one {@link HealthChecks} per probe). A
 * check belongs to one or more probes (live, ready, startup) and is critical (DOWN → probe 503) or not (DOWN →
 * probe 200 with status "degraded"). Each check gets {@link #CHECK_TIMEOUT_MS}; a check that times out or fails
 * counts as DOWN, never as a 500. The same checks run with {@link #REPORT_CHECK_TIMEOUT_MS} for the node's health report
 * to the cluster ({@link #runForReport}), so that a slow check is reported as such before the asking node's
 * 1 s timeout lists the whole member as unreachable.
 */
public final class HealthRegistry {
  public static final long CHECK_TIMEOUT_MS = 1000;
  /** A check's time limit in the node's health report to the cluster: well within the asker's 1 s. */
  public static final long REPORT_CHECK_TIMEOUT_MS = 600;

  public enum Probe { LIVE, READY, STARTUP }

  /** The outcome of a probe: overall status and per-check details {@code {id, status, critical, data}}. */
  public record Report(String status, int httpStatus, JsonArray checks) {
    public JsonObject toJson() {
      return new JsonObject().put("status", status).put("checks", checks);
    }

    public boolean ok() {
      return httpStatus == 200;
    }
  }

  private final Map<Probe, HealthChecks> probes = new EnumMap<>(Probe.class);
  private final Map<Probe, HealthChecks> reportProbes = new EnumMap<>(Probe.class);
  private final Map<String, Boolean> critical = new ConcurrentHashMap<>();

  public HealthRegistry(Vertx vertx) {
    for (Probe p : Probe.values()) {
      probes.put(p, HealthChecks.create(vertx));
      reportProbes.put(p, HealthChecks.create(vertx));
    }
  }

  /** Registers (or replaces) check {@code id} on the given probes; {@code procedure} completes its promise with a Status. */
  public void register(String id, boolean isCritical, Set<Probe> on, Handler<Promise<Status>> procedure) {
    unregister(id);
    critical.put(id, isCritical);
    Handler<Promise<Status>> late = lateAnswerTolerant(procedure);
    for (Probe p : on) {
      probes.get(p).register(id, CHECK_TIMEOUT_MS, late);
      reportProbes.get(p).register(id, REPORT_CHECK_TIMEOUT_MS, late);
    }
  }

  /**
   * The procedure with its own promise, passed on to Vert.x's with {@code tryComplete}/{@code tryFail}: a check that
   * answers after its time limit (the library has already completed the promise as timed out) is ignored instead of
   * throwing "Promise already completed" on the event loop.
   */
  private static Handler<Promise<Status>> lateAnswerTolerant(Handler<Promise<Status>> procedure) {
    return outer -> {
      Promise<Status> inner = Promise.promise();
      inner.future().onComplete(ar -> {
        if (ar.succeeded()) {
          outer.tryComplete(ar.result());
        } else {
          outer.tryFail(ar.cause());
        }
      });
      procedure.handle(inner);
    };
  }

  public void unregister(String id) {
    critical.remove(id);
    for (HealthChecks h : probes.values()) {
      h.unregister(id);
    }
    for (HealthChecks h : reportProbes.values()) {
      h.unregister(id);
    }
  }

  public Future<Report> run(Probe probe) {
    return run(probes.get(probe), CHECK_TIMEOUT_MS);
  }

  /** The same probe with each check limited to {@link #REPORT_CHECK_TIMEOUT_MS}. */
  public Future<Report> runForReport(Probe probe) {
    return run(reportProbes.get(probe), REPORT_CHECK_TIMEOUT_MS);
  }

  private Future<Report> run(HealthChecks checks, long timeoutMs) {
    return checks.checkStatus().map(result -> {
      JsonArray out = new JsonArray();
      boolean criticalDown = false;
      boolean anyDown = false;
      if (result.getChecks() != null) {
        for (CheckResult c : result.getChecks()) {
          boolean up = Boolean.TRUE.equals(c.getUp());
          boolean isCritical = critical.getOrDefault(c.getId(), true);
          out.add(new JsonObject().put("id", c.getId()).put("status", up ? "UP" : "DOWN").put("critical", isCritical)
              .put("data", data(c, timeoutMs)));
          if (!up) {
            anyDown = true;
            criticalDown |= isCritical;
          }
        }
      }
      String status = criticalDown ? "DOWN" : anyDown ? "degraded" : "UP";
      return new Report(status, criticalDown ? 503 : 200, out);
    });
  }

  /** A check's data; a procedure that failed or timed out gets a {@code reason} instead of the library's markers. */
  private static JsonObject data(CheckResult c, long timeoutMs) {
    JsonObject data = c.getData() == null ? new JsonObject() : c.getData().copy();
    if (c.getStatus() != null && c.getStatus().isProcedureInError() || data.containsKey("procedure-execution-failure")) {
      Object cause = data.remove("cause");
      data.remove("procedure-execution-failure");
      data.put("reason", "Timeout".equals(cause) ? "check timed out after " + timeoutMs + " ms"
          : "check failed: " + (cause == null ? "no answer" : cause));
    }
    return data;
  }

  /** UP with data. */
  public static Status up(JsonObject data) {
    return Status.OK(data);
  }

  /** DOWN with a reason. */
  public static Status down(String reason) {
    return Status.KO(new JsonObject().put("reason", reason));
  }
}
