package io.switchboard.alert;

import io.switchboard.alert.AlertState.Phase;
import io.switchboard.common.alert.AlertEvent;
import io.switchboard.common.alert.Silence;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code switchboard.alerts.query} on every replica, from the cluster's alert state (so any replica
 * answers the same): active, history, rules, silences, createSilence, deleteSilence, status. Bad input is
 * {@code fail(400, reason)}, an unknown silence {@code fail(404, ...)}.
 */
final class AlertQueries {
  private static final Logger LOG = LoggerFactory.getLogger(AlertQueries.class);
  /** Expired silences are forgotten this long after they end. */
  static final long SILENCE_RETENTION_MS = 3_600_000;

  private final AlertStore store;
  private final List<Rule> rules;
  private final int historyMax;
  private final Supplier<JsonObject> status;

  AlertQueries(AlertStore store, List<Rule> rules, int historyMax, Supplier<JsonObject> status) {
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
      msg.fail(503, "alert state unavailable on this replica: " + e.getClass().getSimpleName());
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
      case "rules" -> Future.succeededFuture(items(rules.stream().map(Rule::toJson).toList()));
      case "silences" -> store.loadSilences().map(ss -> items(ss.stream().map(s -> s.toJson(now)).toList()));
      case "createSilence" -> createSilence(msg, q, now);
      case "deleteSilence" -> deleteSilence(msg, q);
      case "status" -> store.leader().map(l -> status.get().put("leader", l));
      default -> {
        msg.fail(400, "unknown alerts query what='" + what + "' (active, history, rules, silences, createSilence, deleteSilence, status)");
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
        msg.fail(500, "alert state unavailable: " + ar.cause().getMessage());
      }
    });
  }

  private static JsonObject items(List<JsonObject> list) {
    return new JsonObject().put("items", new JsonArray(new ArrayList<>(list)));
  }

  /** Firing alerts (their firing event), each with {@code silenced} as of now. */
  private Future<Object> active(long now) {
    return Future.all(store.loadSeries(), store.loadSilences()).map(cf -> {
      java.util.Map<String, AlertStore.Entry> series = cf.resultAt(0);
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
        java.util.Map<String, String> labels = new java.util.LinkedHashMap<>(e.labels());
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
      s = Silences.parse(q.getValue("silence"), UUID.randomUUID().toString(), now);
    } catch (IllegalArgumentException e) {
      msg.fail(400, e.getMessage());
      return null;
    }
    return store.loadSilences()
        .compose(all -> {
          List<Future<Boolean>> gone = new ArrayList<>();
          all.stream().filter(x -> x.endsAt() + SILENCE_RETENTION_MS < now).forEach(x -> gone.add(store.removeSilence(x.id())));
          return Future.all(gone);
        })
        .compose(v -> store.putSilence(s))
        .map(v -> {
          LOG.info("silence {} created by '{}' until {} with {} matcher(s)", s.id(), s.createdBy(), s.endsAt(), s.matchers().size());
          return s.toJson(now);
        });
  }

  private Future<Object> deleteSilence(Message<Object> msg, JsonObject q) {
    if (!(q.getValue("id") instanceof String id) || id.isBlank()) {
      msg.fail(400, "deleteSilence needs the silence id");
      return null;
    }
    return store.removeSilence(id).map(existed -> {
      if (!existed) {
        msg.fail(404, "no silence with id '" + id + "'");
        return null;
      }
      LOG.info("silence {} deleted", id);
      return new JsonObject().put("id", id).put("deleted", true);
    });
  }
}
