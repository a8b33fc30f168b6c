package io.switchboard.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.alert.AlertEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The leader's notifications to sinks. A notification is written to the cluster's sink outbox before the
 * transition is published and removed once delivered, failed or dropped, so a new leader re-sends what the old
 * one had not delivered (at-least-once; the event id is the dedup key). Alertmanager sinks also get every firing
 * alert again each resendInterval.
 */
final class Notifier {
  private final Vertx vertx;
  private final HttpClient client;
  private final List<SinkConfig> sinks;
  private final MeterRegistry registry;
  private final AlertStore store;
  private final Supplier<Collection<AlertEvent>> firingNotified;
  private final List<SinkDispatcher> dispatchers = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();

  Notifier(Vertx vertx, HttpClient client, List<SinkConfig> sinks, MeterRegistry registry, AlertStore store,
      Supplier<Collection<AlertEvent>> firingNotified) {
    this.vertx = vertx;
    this.client = client;
    this.sinks = sinks;
    this.registry = registry;
    this.store = store;
    this.firingNotified = firingNotified;
    for (SinkConfig.Type t : SinkConfig.Type.values()) {
      Gauge.builder("switchboard.alert.sink.queue", this, n -> n.queued(t)).tag("sink", t.label())
          .description("Alert notifications waiting or in flight per sink type (leader only)").register(registry);
    }
  }

  private double queued(SinkConfig.Type t) {
    return dispatchers.stream().filter(d -> d.sink().type() == t).mapToInt(SinkDispatcher::queued).sum();
  }

  /** Leadership acquired: start dispatchers and re-queue what the cluster's outbox still holds. */
  void start(Map<String, JsonObject> outbox) {
    stop();
    for (SinkConfig s : sinks) {
      SinkDispatcher d = new SinkDispatcher(vertx, client, s, registry, item -> {
        if (item.key() != null) {
          store.removeSink(item.key());
        }
      });
      dispatchers.add(d);
      if (s.type() == SinkConfig.Type.ALERTMANAGER) {
        timers.add(vertx.setPeriodic(s.resendIntervalMs(), t -> {
          Collection<AlertEvent> firing = firingNotified.get();
          if (!firing.isEmpty()) {
            d.enqueue(new SinkDispatcher.Item(null, "resend", SinkPayloads.alertmanagerBatch(firing)));
          }
        }));
      }
    }
    List<Map.Entry<String, JsonObject>> pending = new ArrayList<>(outbox.entrySet());
    pending.sort(Comparator.comparingLong((Map.Entry<String, JsonObject> e) -> e.getValue().getJsonObject("event").getLong("timestamp", 0L))
        .thenComparing(e -> e.getValue().getJsonObject("event").getString("state")));
    for (Map.Entry<String, JsonObject> e : pending) {
      int idx = e.getValue().getInteger("sink", -1);
      SinkDispatcher d = dispatcherFor(idx);
      if (d == null) {
        store.removeSink(e.getKey()); // the sink is no longer configured
        continue;
      }
      AlertEvent ev = AlertEvent.fromJson(e.getValue().getJsonObject("event"));
      d.enqueue(new SinkDispatcher.Item(e.getKey(), ev.id(), SinkPayloads.body(d.sink(), ev)));
    }
  }

  private SinkDispatcher dispatcherFor(int index) {
    for (SinkDispatcher d : dispatchers) {
      if (d.sink().index() == index) {
        return d;
      }
    }
    return null;
  }

  void stop() {
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    dispatchers.forEach(SinkDispatcher::stop);
    dispatchers.clear();
  }

  /** Before publishing: the transition's notifications go to the outbox (or are counted as silenced). */
  Future<Void> persist(AlertEngine.Transition t) {
    List<Future<Void>> fs = new ArrayList<>();
    for (SinkConfig s : sinks) {
      if (t.notified()) {
        fs.add(store.putSink(s.index(), t.event()));
      }
    }
    return Future.all(fs).mapEmpty();
  }

  /** After publishing: hand the transition to the dispatchers. */
  void deliver(AlertEngine.Transition t) {
    for (SinkDispatcher d : dispatchers) {
      if (t.notified()) {
        d.enqueue(new SinkDispatcher.Item(AlertStore.sinkKey(d.sink().index(), t.event().id()), t.event().id(),
            SinkPayloads.body(d.sink(), t.event())));
      } else {
        silenced(d.sink().type()).increment();
      }
    }
  }

  private Counter silenced(SinkConfig.Type t) {
    return SinkDispatcher.outcome(registry, t.label(), "silenced");
  }
}
