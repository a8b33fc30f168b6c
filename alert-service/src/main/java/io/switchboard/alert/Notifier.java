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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The leader's notifications to sinks. A notification is written to the cluster's sink outbox before the
 * transition is published and removed once delivered, failed or dropped, so a new leader re-sends what the old
 * one had not delivered (at-least-once; the event id is the dedup key). Alertmanager sinks also get every firing
 * alert again each resendInterval. With {@code alert.groupWait} above 0, the transitions of one rule that come within
 * that time go to a sink as one notification (PagerDuty excepted: one incident per alert).
 */
final class Notifier {
  private final Vertx vertx;
  private final HttpClient client;
  private final MeterRegistry registry;
  private final AlertStore store;
  private final Supplier<Collection<AlertEvent>> firingNotified;
  private final long groupWaitMs;
  private final List<SinkDispatcher> dispatchers = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();
  /** Per sink index and rule: the transitions waiting for their group to close. */
  private final Map<String, List<AlertEvent>> groups = new LinkedHashMap<>();
  private final Map<String, Long> groupTimers = new LinkedHashMap<>();
  private List<SinkConfig> sinks;

  Notifier(Vertx vertx, HttpClient client, List<SinkConfig> sinks, long groupWaitMs, MeterRegistry registry,
      AlertStore store, Supplier<Collection<AlertEvent>> firingNotified) {
    this.vertx = vertx;
    this.client = client;
    this.sinks = List.copyOf(sinks);
    this.groupWaitMs = groupWaitMs;
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

  /** The sinks a reload configured; the leader then restarts delivery from the outbox ({@link #start}). */
  void replaceSinks(List<SinkConfig> next) {
    this.sinks = List.copyOf(next);
  }

  boolean running() {
    return !dispatchers.isEmpty();
  }

  /** Leadership acquired (or sinks reloaded): start dispatchers and re-queue what the cluster's outbox still holds. */
  void start(Map<String, JsonObject> outbox) {
    stop();
    for (SinkConfig s : sinks) {
      SinkTransport transport = s.type() == SinkConfig.Type.EMAIL ? new MailSinkTransport(vertx, s) : new HttpSinkTransport(client, s);
      SinkDispatcher d = new SinkDispatcher(vertx, transport, s, registry, item -> item.keys().forEach(store::removeSink));
      dispatchers.add(d);
      if (s.type() == SinkConfig.Type.ALERTMANAGER) {
        timers.add(vertx.setPeriodic(s.resendIntervalMs(), t -> {
          Collection<AlertEvent> firing = firingNotified.get();
          if (!firing.isEmpty()) {
            d.enqueue(new SinkDispatcher.Item(List.of(), "resend", SinkPayloads.alertmanagerBatch(firing)));
          }
        }));
      }
    }
    List<Map.Entry<String, JsonObject>> pending = new ArrayList<>(outbox.entrySet());
    pending.sort(Comparator.comparingLong((Map.Entry<String, JsonObject> e) -> e.getValue().getJsonObject("event").getLong("timestamp", 0L))
        .thenComparing(e -> e.getValue().getJsonObject("event").getString("state")));
    for (Map.Entry<String, JsonObject> e : pending) {
      SinkDispatcher d = e.getValue().getValue("sink") instanceof String id ? dispatcherFor(id) : null;
      if (d == null) {
        store.removeSink(e.getKey()); // the sink it was written for is no longer configured
        continue;
      }
      AlertEvent ev = AlertEvent.fromJson(e.getValue().getJsonObject("event"));
      d.enqueue(new SinkDispatcher.Item(List.of(e.getKey()), ev.id(), SinkPayloads.body(d.sink(), ev)));
    }
  }

  private SinkDispatcher dispatcherFor(String sinkIdentity) {
    for (SinkDispatcher d : dispatchers) {
      if (d.sink().identity().equals(sinkIdentity)) {
        return d;
      }
    }
    return null;
  }

  /** Stops delivering; what is queued or waiting in a group stays in the cluster's outbox for the next start. */
  void stop() {
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    groupTimers.values().forEach(vertx::cancelTimer);
    groupTimers.clear();
    groups.clear();
    dispatchers.forEach(SinkDispatcher::stop);
    dispatchers.clear();
  }

  /** Before publishing: the transition's notifications go to the outbox (or are counted as silenced). */
  Future<Void> persist(AlertEngine.Transition t) {
    List<Future<Void>> fs = new ArrayList<>();
    for (SinkConfig s : sinks) {
      if (t.notified()) {
        fs.add(store.putSink(s.identity(), t.event()));
      }
    }
    return Future.all(fs).mapEmpty();
  }

  /** After publishing: hand the transition to the dispatchers, at once or into its rule's group. */
  void deliver(AlertEngine.Transition t) {
    for (SinkDispatcher d : dispatchers) {
      if (!t.notified()) {
        silenced(d.sink().type()).increment();
      } else if (groupWaitMs > 0 && SinkPayloads.groups(d.sink())) {
        String key = d.sink().identity() + "|" + t.event().rule();
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t.event());
        groupTimers.computeIfAbsent(key, k -> vertx.setTimer(groupWaitMs, id -> flush(d, k)));
      } else {
        enqueue(d, List.of(t.event()));
      }
    }
  }

  /** A group closed: consecutive transitions in the same state go as one notification each run. */
  private void flush(SinkDispatcher d, String key) {
    groupTimers.remove(key);
    List<AlertEvent> events = groups.remove(key);
    if (events == null || !dispatchers.contains(d)) {
      return;
    }
    List<AlertEvent> run = new ArrayList<>();
    for (AlertEvent e : events) {
      if (!run.isEmpty() && !run.get(0).state().equals(e.state())) {
        enqueue(d, run);
        run = new ArrayList<>();
      }
      run.add(e);
    }
    enqueue(d, run);
  }

  private void enqueue(SinkDispatcher d, List<AlertEvent> events) {
    List<String> keys = events.stream().map(e -> AlertStore.sinkKey(d.sink().identity(), e.id())).toList();
    String ids = String.join(",", events.stream().map(AlertEvent::id).toList());
    d.enqueue(new SinkDispatcher.Item(keys, ids, SinkPayloads.group(d.sink(), events)));
  }

  private Counter silenced(SinkConfig.Type t) {
    return SinkDispatcher.outcome(registry, t.label(), "silenced");
  }
}
