package io.switchboard.alert;

import io.switchboard.common.alert.AlertEvent;
import io.switchboard.common.alert.Silence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alert state in the cluster (Hazelcast-backed AsyncMaps; values are JSON strings so any member can read them):
 * <ul>
 *   <li>{@code switchboard.alert.series}: fingerprint → {state, last:{event, published, notified}}: the state of a
 *       series and its last transition, written in one put, so a transition is persisted together with the state
 *       it leads to, before it is published; {@code published} is set once it went out on the event bus.</li>
 *   <li>{@code switchboard.alert.history}: fingerprint-startsAt → the latest event of that episode.</li>
 *   <li>{@code switchboard.alert.silences}: id → silence.</li>
 *   <li>{@code switchboard.alert.sinkOutbox}: sink identity|eventId → {sink, event}: notifications not yet delivered.</li>
 *   <li>{@code switchboard.alert.meta}: "leader" → {nodeId, name, epoch, since}.</li>
 * </ul>
 */
final class AlertStore {
  private final AsyncMap<String, String> series;
  private final AsyncMap<String, String> history;
  private final AsyncMap<String, String> silences;
  private final AsyncMap<String, String> sinkOutbox;
  private final AsyncMap<String, String> meta;

  /** A series entry: state is null once the series is inactive; last is its last transition. */
  record Entry(AlertState state, AlertEvent last, boolean published, boolean notified) {
    JsonObject toJson() {
      return new JsonObject()
          .put("state", state == null ? null : state.toJson())
          .put("last", last == null ? null : new JsonObject().put("event", last.toJson()).put("published", published).put("notified", notified));
    }

    static Entry fromJson(JsonObject j) {
      JsonObject s = j.getJsonObject("state");
      JsonObject l = j.getJsonObject("last");
      return new Entry(s == null ? null : AlertState.fromJson(s),
          l == null ? null : AlertEvent.fromJson(l.getJsonObject("event")),
          l != null && l.getBoolean("published", false), l != null && l.getBoolean("notified", false));
    }
  }

  private AlertStore(List<AsyncMap<String, String>> maps) {
    series = maps.get(0);
    history = maps.get(1);
    silences = maps.get(2);
    sinkOutbox = maps.get(3);
    meta = maps.get(4);
  }

  static Future<AlertStore> open(Vertx vertx) {
    List<Future<AsyncMap<String, String>>> fs = new ArrayList<>();
    for (String n : List.of("series", "history", "silences", "sinkOutbox", "meta")) {
      fs.add(vertx.sharedData().getAsyncMap("switchboard.alert." + n));
    }
    return Future.all(fs).map(cf -> {
      List<AsyncMap<String, String>> maps = new ArrayList<>();
      for (int i = 0; i < fs.size(); i++) {
        maps.add(cf.resultAt(i));
      }
      return new AlertStore(maps);
    });
  }

  // ---- series ---------------------------------------------------------------------------------------------

  Future<Map<String, Entry>> loadSeries() {
    return series.entries().map(m -> {
      Map<String, Entry> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, Entry.fromJson(new JsonObject(v))));
      return out;
    });
  }

  /** Writes an entry; an entry with neither state nor an unpublished transition is removed instead. */
  Future<Void> putSeries(String fingerprint, Entry e) {
    if (e.state() == null && (e.last() == null || e.published())) {
      return series.remove(fingerprint).mapEmpty();
    }
    return series.put(fingerprint, e.toJson().encode());
  }

  // ---- history --------------------------------------------------------------------------------------------

  static String episodeKey(AlertEvent e) {
    return e.fingerprint() + "-" + e.startsAt();
  }

  Future<Void> putHistory(AlertEvent e) {
    return history.put(episodeKey(e), e.toJson().encode());
  }

  Future<List<AlertEvent>> loadHistory() {
    return history.values().map(vs -> {
      List<AlertEvent> out = new ArrayList<>();
      vs.forEach(v -> out.add(AlertEvent.fromJson(new JsonObject(v))));
      out.sort(Comparator.comparingLong((AlertEvent e) -> -e.startsAt()).thenComparing(e -> e.fingerprint()));
      return out;
    });
  }

  Future<Void> removeHistory(String key) {
    return history.remove(key).mapEmpty();
  }

  // ---- silences -------------------------------------------------------------------------------------------

  Future<List<Silence>> loadSilences() {
    return silences.values().map(vs -> {
      List<Silence> out = new ArrayList<>();
      vs.forEach(v -> out.add(Silence.fromJson(new JsonObject(v))));
      out.sort(Comparator.comparingLong(Silence::createdAt));
      return out;
    });
  }

  Future<Void> putSilence(Silence s) {
    return silences.put(s.id(), s.toJson().encode());
  }

  /** True when it existed. */
  Future<Boolean> removeSilence(String id) {
    return silences.remove(id).map(v -> v != null);
  }

  // ---- sink outbox ----------------------------------------------------------------------------------------

  /** The outbox key of one notification: the sink's {@link SinkConfig#identity()} and the event's id. */
  static String sinkKey(String sinkIdentity, String eventId) {
    return sinkIdentity + "|" + eventId;
  }

  Future<Void> putSink(String sinkIdentity, AlertEvent e) {
    return sinkOutbox.put(sinkKey(sinkIdentity, e.id()),
        new JsonObject().put("sink", sinkIdentity).put("event", e.toJson()).encode());
  }

  Future<Void> removeSink(String key) {
    return sinkOutbox.remove(key).mapEmpty();
  }

  Future<Map<String, JsonObject>> loadSinkOutbox() {
    return sinkOutbox.entries().map(m -> {
      Map<String, JsonObject> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, new JsonObject(v)));
      return out;
    });
  }

  // ---- meta -----------------------------------------------------------------------------------------------

  Future<Void> putLeader(JsonObject leader) {
    return meta.put("leader", leader.encode());
  }

  Future<JsonObject> leader() {
    return meta.get("leader").map(v -> v == null ? null : new JsonObject(v));
  }
}
