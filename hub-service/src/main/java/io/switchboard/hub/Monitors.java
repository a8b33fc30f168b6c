package io.switchboard.hub;

import io.micrometer.core.instrument.Gauge;
import io.switchboard.common.Addresses;
import io.switchboard.common.hub.HubAddresses;
import io.switchboard.common.hub.MonitorFrame;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Monitor stream plumbing of a node, both halves: (1) as the owner of executions (the client's node), it sends the
 * status/log/metrics frames of watched executions to the watching nodes; (2) as the node of /ws sockets, it keeps
 * who watches what and relays executions' frames, hub events, stats and alerts to them.
 *
 * <p>Ownership on the /ws side: each {@link MonitorSession} owns its own subscription set (its event loop).
 * {@code byExecution} is shared: sockets' event loops change it, only through {@link ConcurrentHashMap#compute}
 * and {@link ConcurrentHashMap#computeIfPresent} (atomic per execution, so a subscribe and the last unsubscribe of
 * one execution never lose each other); the relay (the monitor verticle's loop) only reads it. The topic sets are
 * concurrent sets changed by sockets' loops and read by the relays; the events consumer is guarded by this
 * object's lock. A closed socket's execution subscriptions are removed on its own loop, at most
 * {@link #CLOSE_CHUNK} per loop turn, each removal a direct map operation.
 */
final class Monitors {
  private static final int RECENT = 1000;
  /** Subscriptions a closed socket gives up per event-loop turn. */
  static final int CLOSE_CHUNK = 512;

  private final HubRuntime rt;
  final Set<MonitorSession> sessions = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Set<MonitorSession>> byExecution = new ConcurrentHashMap<>();
  final Set<MonitorSession> events = ConcurrentHashMap.newKeySet();
  final Set<MonitorSession> stats = ConcurrentHashMap.newKeySet();
  final Set<MonitorSession> alerts = ConcurrentHashMap.newKeySet();
  private MessageConsumer<JsonObject> eventsConsumer;
  /** Final status and metrics of recently ended executions owned here, for late subscribers. */
  private final Map<String, JsonObject[]> recent = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, JsonObject[]> e) {
      return size() > RECENT;
    }
  };

  Monitors(HubRuntime rt) {
    this.rt = rt;
    Gauge.builder("switchboard.monitor.watched.executions", byExecution, Map::size)
        .description("Executions that some /ws socket of this node watches")
        .register(rt.node.metrics().registry());
  }

  boolean localEventsInterest() {
    return !events.isEmpty();
  }

  // ---- owner side (the execution's client event loop) ---------------------------------------------------

  void status(ClientTx ct) {
    Set<String> w = ct.watchers;
    if (w != null && !w.isEmpty()) {
      JsonObject f = MonitorFrame.execution(MonitorFrame.STATUS, ct.id, ct.exec.statusJson(System.currentTimeMillis())).toJson();
      w.forEach(node -> sendTo(node, f));
    }
  }

  void log(ClientTx ct, String direction, String type, String frameId, int bytes) {
    Set<String> w = ct.watchers;
    if (w != null && !w.isEmpty()) {
      JsonObject data = new JsonObject().put("direction", direction).put("type", type).put("frameId", frameId);
      if (bytes >= 0) {
        data.put("bytes", bytes);
      }
      JsonObject f = MonitorFrame.execution(MonitorFrame.LOG, ct.id, data).toJson();
      w.forEach(node -> sendTo(node, f));
    }
  }

  void ended(ClientTx ct) {
    long now = System.currentTimeMillis();
    JsonObject status = MonitorFrame.execution(MonitorFrame.STATUS, ct.id, ct.exec.statusJson(now)).toJson();
    JsonObject metrics = MonitorFrame.execution(MonitorFrame.METRICS, ct.id, ct.exec.metricsJson(now)).toJson();
    synchronized (recent) {
      recent.put(ct.id, new JsonObject[] {status, metrics});
    }
    Set<String> w = ct.watchers;
    if (w != null) {
      w.forEach(node -> {
        sendTo(node, status);
        sendTo(node, metrics);
      });
    }
  }

  /** A monitor node (un)subscribes to an execution: if it is ours, start or stop sending it frames. */
  void onInterest(JsonObject b) {
    String node = b.getString("node");
    if (node != null && b.getValue("executionIds") instanceof JsonArray ids) {
      // a closed socket's withdrawals, one message per chunk
      for (Object id : ids) {
        if (id instanceof String execId) {
          interest(execId, node, false);
        }
      }
      return;
    }
    String execId = b.getString("executionId");
    if (execId == null || node == null) {
      return;
    }
    interest(execId, node, b.getBoolean("subscribe", true));
  }

  private void interest(String execId, String node, boolean subscribe) {
    ClientTx ct = rt.clientTx.get(execId);
    if (ct != null) {
      HubRuntime.on(ct.client.ctx, () -> {
        if (!subscribe) {
          if (ct.watchers != null) {
            ct.watchers.remove(node);
          }
          return;
        }
        ct.watchersForWrite().add(node);
        long now = System.currentTimeMillis();
        sendTo(node, MonitorFrame.execution(MonitorFrame.STATUS, ct.id, ct.exec.statusJson(now)).toJson());
        if (ct.exec.status().terminal()) {
          sendTo(node, MonitorFrame.execution(MonitorFrame.METRICS, ct.id, ct.exec.metricsJson(now)).toJson());
        }
      });
      return;
    }
    if (subscribe) {
      JsonObject[] done;
      synchronized (recent) {
        done = recent.get(execId);
      }
      if (done != null) {
        sendTo(node, done[0]);
        sendTo(node, done[1]);
      }
    }
  }

  private void sendTo(String node, JsonObject frame) {
    rt.bus.send(HubAddresses.nodeMonitor(node), frame);
  }

  // ---- /ws side -----------------------------------------------------------------------------------------

  /** A frame of a watched execution arrived for this node's monitors. */
  void onExecutionFrame(JsonObject frame) {
    Set<MonitorSession> subs = byExecution.get(frame.getString("executionId", ""));
    if (subs != null && !subs.isEmpty()) {
      String text = frame.encode();
      subs.forEach(m -> m.write(text));
    }
  }

  void subscribeExecution(MonitorSession m, String execId) {
    byExecution.compute(execId, (k, subs) -> {
      Set<MonitorSession> s = subs != null ? subs : ConcurrentHashMap.newKeySet();
      s.add(m);
      return s;
    });
    rt.bus.publish(HubAddresses.MONITOR_INTEREST, new JsonObject().put("executionId", execId)
        .put("node", rt.nodeId).put("subscribe", true));
  }

  void unsubscribeExecution(MonitorSession m, String execId) {
    if (removeSubscriber(m, execId)) {
      rt.bus.publish(HubAddresses.MONITOR_INTEREST, new JsonObject().put("executionId", execId)
          .put("node", rt.nodeId).put("subscribe", false));
    }
  }

  synchronized void subscribeEvents(MonitorSession m) {
    boolean first = events.isEmpty();
    events.add(m);
    if (first) {
      eventsConsumer = rt.bus.consumer(Addresses.HUB_EVENTS, msg -> {
        String text = MonitorFrame.topic(MonitorFrame.EVENT, MonitorFrame.TOPIC_EVENTS, msg.body()).toJson().encode();
        events.forEach(s -> s.write(text));
      });
      eventsConsumer.completion().onComplete(ar -> rt.localStateChanged());
    }
  }

  synchronized void unsubscribeEvents(MonitorSession m) {
    if (events.remove(m) && events.isEmpty()) {
      if (eventsConsumer != null) {
        eventsConsumer.unregister();
        eventsConsumer = null;
      }
      rt.localStateChanged();
    }
  }

  /** Relays a ClusterStats snapshot to topic stats. */
  void onStats(JsonObject clusterStats) {
    if (!stats.isEmpty()) {
      String text = MonitorFrame.topic(MonitorFrame.STATS, MonitorFrame.TOPIC_STATS, clusterStats).toJson().encode();
      stats.forEach(s -> s.write(text));
    }
  }

  /** Relays an AlertEvent to topic alerts (after each subscriber's snapshot). */
  void onAlert(JsonObject alertEvent) {
    if (!alerts.isEmpty()) {
      String text = MonitorFrame.topic(MonitorFrame.ALERT, MonitorFrame.TOPIC_ALERTS, alertEvent).toJson().encode();
      alerts.forEach(s -> s.write(text));
    }
  }

  /** A /ws socket closed (its event loop): topics at once, executions {@link #CLOSE_CHUNK} per loop turn. */
  void closed(MonitorSession m) {
    sessions.remove(m);
    stats.remove(m);
    alerts.remove(m);
    unsubscribeEvents(m);
    Iterator<String> left = m.takeExecutions().iterator();
    if (left.hasNext()) {
      unsubscribeSome(m, left);
    }
  }

  /** Removes {@code m} from the execution's subscribers; true when it was the last one on this node. */
  private boolean removeSubscriber(MonitorSession m, String execId) {
    boolean[] last = new boolean[1];
    byExecution.computeIfPresent(execId, (k, subs) -> {
      if (subs.remove(m) && subs.isEmpty()) {
        last[0] = true;
        return null;
      }
      return subs.isEmpty() ? null : subs;
    });
    return last[0];
  }

  /** One chunk of a closed socket's subscriptions; the interests withdrawn go out in one message. */
  private void unsubscribeSome(MonitorSession m, Iterator<String> left) {
    JsonArray withdrawn = new JsonArray();
    for (int i = 0; i < CLOSE_CHUNK && left.hasNext(); i++) {
      String execId = left.next();
      if (removeSubscriber(m, execId)) {
        withdrawn.add(execId);
      }
    }
    if (!withdrawn.isEmpty()) {
      rt.bus.publish(HubAddresses.MONITOR_INTEREST, new JsonObject().put("executionIds", withdrawn)
          .put("node", rt.nodeId).put("subscribe", false));
    }
    if (left.hasNext()) {
      m.ctx.runOnContext(v -> unsubscribeSome(m, left));
    }
  }
}
