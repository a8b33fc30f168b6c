package io.switchboard.alert;

import io.switchboard.alert.AlertState.Phase;
import io.switchboard.common.alert.AlertEvent;
import io.switchboard.common.alert.Silence;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.http.ApiError;
import io.switchboard.common.http.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code switchboard.alerts.query} on every replica, from the cluster's alert state (so any replica
 * answers the same): active, history, rules, silences, createSilence, deleteSilence, status. Bad input is
 * {@code fail(400, reason)}; a refused silence {@code fail(400 or 409, ApiError.encode())} with its code and field;
 * an unknown silence {@code fail(404, ...)}. Failures of the cluster store are answered without their own text.
 */
final class AlertQueries {
  private static final Logger LOG = LoggerFactory.getLogger(AlertQueries.class);
  /** Expired silences are forgotten this long after they end. */
  static final long SILENCE_RETENTION_MS = 3_600_000;

  private final AlertStore store;
  private final Supplier<List<Rule>> rules;
  private final Supplier<Future<JsonObject>> reload;
  private final int historyMax;
  private final Supplier<JsonObject> status;
  private final SilenceLimits limits;

  /**
   * @param rules the rules in use now
   * @param reload reloads the rules and sinks on every replica; fails with a ConfigException when they do not validate
   */
  AlertQueries(AlertStore store, Supplier<List<Rule>> rules, int historyMax, SilenceLimits limits, Supplier<JsonObject> status,
      Supplier<Future<JsonObject>> reload) {
    this.limits = limits;
    this.reload = reload;
    this.store = store;
    this.rules = rules;
    this.historyMax = historyMax;
    this.status = status;
  }

  void handle(Message<Object> msg) {
    try {
      answer(msg);
    } catch (RuntimeException e) {
      // the cluster store can throw synchronously (e.g. this member was cut off from Hazelcast)
      LOG.warn("alerts query failed", e);
      msg.fail(503, "alert state unavailable on this replica");
    }
  }

  private void answer(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject q)) {
      msg.fail(400, "an alerts query must be a JSON object {what: active|history|rules|silences|createSilence|deleteSilence}");
      return;
    }
    String what = q.getValue("what") instanceof String s ? s : "";
    long now = System.currentTimeMillis();
    Future<Object> answer = switch (what) {
      case "active" -> active(now);
      case "history" -> store.loadHistory().map(h -> items(h.stream().limit(historyMax).map(AlertEvent::toJson).toList()));
      case "rules" -> Future.succeededFuture(items(rules.get().stream().map(Rule::toJson).toList()));
      case "reload" -> {
        reload(msg);
        yield null;
      }
      case "silences" -> store.loadSilences().map(ss -> items(ss.stream().map(s -> s.toJson(now)).toList()));
      case "createSilence" -> createSilence(msg, q, now);
      case "deleteSilence" -> deleteSilence(msg, q);
      case "status" -> store.leader().map(l -> status.get().put("leader", l));
      default -> {
        msg.fail(400, "unknown alerts query what='" + ApiError.excerpt(what, 64) + "' (active, history, rules, silences, createSilence, deleteSilence, status, reload)");
        yield null;
      }
    };
    if (answer == null) {
      return;
    }
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        if (ar.result() != null) {
          msg.reply(ar.result());
        }
      } else {
        LOG.warn("alerts query '{}' failed", what, ar.cause());
        msg.fail(500, "alert state unavailable");
      }
    });
  }

  /** A refused reload answers 422 INVALID_RULES naming the key and the rule or sink; it changed nothing. */
  private void reload(Message<Object> msg) {
    reload.get().onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else if (ar.cause() instanceof ConfigException e) {
        msg.fail(422, new ApiError(422, HttpErrors.INVALID_RULES, e.key(), e.getMessage()).encode());
      } else {
        LOG.warn("alert rules reload failed", ar.cause());
        msg.fail(500, "the alert rules could not be reloaded");
      }
    });
  }

  private static JsonObject items(List<JsonObject> list) {
    return new JsonObject().put("items", new JsonArray(new ArrayList<>(list)));
  }

  /** Firing alerts (their firing event), each with {@code silenced} as of now. */
  private Future<Object> active(long now) {
    return Future.all(store.loadSeries(), store.loadSilences()).map(cf -> {
      Map<String, AlertStore.Entry> series = cf.resultAt(0);
      List<Silence> silences = cf.resultAt(1);
      List<AlertEvent> firing = new ArrayList<>();
      series.values().forEach(e -> {
        if (e.state() != null && e.state().phase() == Phase.FIRING && e.state().firing() != null) {
          firing.add(e.state().firing());
        }
      });
      firing.sort(Comparator.comparingLong(AlertEvent::startsAt));
      List<JsonObject> out = new ArrayList<>();
      for (AlertEvent e : firing) {
        Map<String, String> labels = new LinkedHashMap<>(e.labels());
        labels.put("alertname", e.rule());
        labels.put("severity", e.severity());
        out.add(e.toJson().put("silenced", silences.stream().anyMatch(s -> s.mutes(labels, now))));
      }
      return items(out);
    });
  }

  private Future<Object> createSilence(Message<Object> msg, JsonObject q, long now) {
    Silence s;
    try {
      s = Silences.parse(q.getValue("silence"), UUID.randomUUID().toString(), now, limits);
    } catch (ApiError e) {
      msg.fail(e.status(), e.encode());
      return null;
    }
    return store.loadSilences()
        .compose(all -> {
          List<Future<Boolean>> gone = new ArrayList<>();
          List<Silence> forgotten = all.stream().filter(x -> forgotten(x, now)).toList();
          forgotten.forEach(x -> gone.add(store.removeSilence(x.id())));
          int kept = all.size() - forgotten.size();
          if (kept >= limits.maxSilences()) {
            msg.fail(409, new ApiError(409, HttpErrors.SILENCE_LIMIT, null, kept + " silences exist and alert.maxSilences allows "
                + limits.maxSilences() + "; delete one (DELETE /silences/{id}) or wait for one to expire").encode());
            return Future.all(gone).map(v -> false);
          }
          long patternSize = all.stream().filter(x -> !forgotten(x, now)).mapToLong(Silence::patternSize).sum();
          if (patternSize + s.patternSize() > limits.maxPatternSize()) {
            msg.fail(409, new ApiError(409, HttpErrors.SILENCE_LIMIT, "matchers", "the regex matchers of the kept silences have an "
                + "expanded size of " + patternSize + " and this silence's add " + s.patternSize()
                + "; alert.maxSilencePatternSize allows " + limits.maxPatternSize()
                + " in all: delete a silence with patterns, or use equality matchers").encode());
            return Future.all(gone).map(v -> false);
          }
          return Future.all(gone).map(v -> true);
        })
        .compose(room -> room ? store.putSilence(s).map(v -> true) : Future.succeededFuture(false))
        .map(created -> {
          if (!created) {
            return null;
          }
          LOG.info("silence {} created by '{}' until {} with {} matcher(s)", s.id(), s.createdBy(), s.endsAt(), s.matchers().size());
          return s.toJson(now);
        });
  }

  /** Whether a silence ended more than {@link #SILENCE_RETENTION_MS} ago (no overflow for far endsAt values). */
  static boolean forgotten(Silence s, long now) {
    return s.endsAt() < now - SILENCE_RETENTION_MS;
  }

  private Future<Object> deleteSilence(Message<Object> msg, JsonObject q) {
    if (!(q.getValue("id") instanceof String id) || id.isBlank()) {
      msg.fail(400, "deleteSilence needs the silence id");
      return null;
    }
    return store.removeSilence(id).map(existed -> {
      if (!existed) {
        msg.fail(404, "no silence with id '" + ApiError.excerpt(id, 64) + "'");
        return null;
      }
      LOG.info("silence {} deleted", id);
      return new JsonObject().put("id", id).put("deleted", true);
    });
  }
}
