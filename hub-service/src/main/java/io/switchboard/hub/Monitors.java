package io.switchboard.hub;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.switchboard.common.Addresses;
import io.switchboard.common.auth.EventView;
import io.switchboard.common.hub.HubAddresses;
import io.switchboard.common.hub.MonitorFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Monitor stream plumbing of a node, both halves: (1) as the owner of executions (the client's node), it sends the
 * status/log/metrics frames of watched executions to the watching nodes; (2) as the node of /ws sockets, it keeps
 * who watches what and relays executions' frames, hub events, stats and alerts to them.
 *
 * <p>Ownership: the /ws side (sockets, subscriptions by execution and by topic, the events consumer) and the
 * recently ended executions belong to the monitor verticle's context ({@link #start}); sockets hand their requests
 * to it, and it hands frames to each socket's own loop ({@link MonitorSession#deliver}). The owner side of an
 * execution (who watches it) belongs to the client session's loop, with the execution. A closed socket's execution
 * subscriptions are withdrawn {@link #CLOSE_CHUNK} per loop turn.
 */
final class Monitors {
  private static final int RECENT = 1000;
  /** Subscriptions a closed socket gives up per event-loop turn. */
  static final int CLOSE_CHUNK = 512;

  private final Hub rt;
  /** Set once, when the monitor verticle starts, before any /ws socket or execution exists. */
  private volatile Context owner;
  private final Set<MonitorSession> sessions = new HashSet<>();
  private final Map<String, Subscribers> byExecution = new HashMap<>();
  /** Held frames replaced by a newer view (accounting: any socket's context). */
  private final LongAdder coalesced = new LongAdder();
  /** The queue of each event loop that owns /ws sockets (any context). */
  private final Map<Context, FanoutQueue> outboxes = new ConcurrentHashMap<>();
  /** byExecution's size, for the gauge (read by the scrape's thread). */
  private volatile int watched;
  private final Map<String, Subscribers> byTopic = Map.of(
      MonitorFrame.TOPIC_EVENTS, new Subscribers(), MonitorFrame.TOPIC_STATS, new Subscribers(),
      MonitorFrame.TOPIC_ALERTS, new Subscribers(), MonitorFrame.TOPIC_HEALTH, new Subscribers());
  /**
   * Restricted sockets (a watch claim narrower than every tool) whose execution subscriptions await their verdict: the
   * first status frame names the tool, then they get subscribed and the frames, or UNAUTHORIZED. The owner's context.
   */
  private final Map<String, Set<MonitorSession>> awaitingVerdict = new HashMap<>();
  /** The tool of each watched execution, from its status frames (the owner's context). */
  private final Map<String, String> toolOf = new HashMap<>();
  /**
   * The latest {@code status} (and, once it ended, {@code metrics}) frame of each watched execution, as relayed: what
   * a socket that subscribes to an execution this node already watches gets first (the owner's context).
   */
  private final Map<String, List<SharedFrame>> snapshotOf = new HashMap<>();
  private MessageConsumer<JsonObject> eventsConsumer;
  /** Completes once the events consumer is registered across the cluster (or its registration failed). */
  private Future<Void> eventsListening = Future.succeededFuture();
  /** Sockets whose subscription to topic events waits for the events consumer's registration. */
  private final Set<MonitorSession> eventsPending = new HashSet<>();
  /** Final status and metrics of recently ended executions owned here, for late subscribers. */
  private final Map<String, JsonObject[]> recent = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, JsonObject[]> e) {
      return size() > RECENT;
    }
  };

  Monitors(Hub rt) {
    this.rt = rt;
    Gauge.builder("switchboard.monitor.watched.executions", this, m -> m.watched)
        .description("Executions that some /ws socket of this node watches")
        .register(rt.node.metrics().registry());
    FunctionCounter.builder("switchboard.monitor.frames.coalesced", coalesced, LongAdder::sum)
        .description("Stats and health frames a lagging /ws socket held and replaced by a newer view before sending")
        .register(rt.node.metrics().registry());
  }

  /** A lagging socket replaced a held view by a newer one (any socket's context). */
  void frameCoalesced() {
    coalesced.increment();
  }

  /** The queue through which this node's monitors hand frames to the sockets of {@code ctx}'s event loop. */
  FanoutQueue outboxOf(Context ctx) {
    return outboxes.computeIfAbsent(ctx, FanoutQueue::new);
  }

  /** Binds the /ws side to its owner's context (the monitor verticle's start). */
  void start(Context ctx) {
    owner = ctx;
  }

  // ---- owner side (the execution's client event loop) ---------------------------------------------------

  void status(ClientTx ct) {
    if (ct.watched()) {
      JsonObject f = executionFrame(MonitorFrame.STATUS, ct, statusData(ct, System.currentTimeMillis()));
      ct.forEachWatcher(node -> sendTo(node, f));
    }
  }

  void log(ClientTx ct, String direction, String type, String frameId, int bytes) {
    if (ct.watched()) {
      JsonObject data = new JsonObject().put("direction", direction).put("type", type).put("frameId", frameId);
      if (bytes >= 0) {
        data.put("bytes", bytes);
      }
      JsonObject f = executionFrame(MonitorFrame.LOG, ct, data);
      ct.forEachWatcher(node -> sendTo(node, f));
    }
  }

  void ended(ClientTx ct) {
    long now = System.currentTimeMillis();
    JsonObject status = executionFrame(MonitorFrame.STATUS, ct, statusData(ct, now));
    JsonObject metrics = executionFrame(MonitorFrame.METRICS, ct, ct.exec.metricsJson(now));
    Hub.on(owner, () -> recent.put(ct.id, new JsonObject[] {status, metrics}));
    ct.forEachWatcher(node -> {
      sendTo(node, status);
      sendTo(node, metrics);
    });
  }

  /** A monitor node (un)subscribes to an execution (the owner's context): if it is ours, start or stop sending it frames. */
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

  /**
   * The {@code status} frame's data: the execution's state, the client's node, and the node whose agent runs it (the
   * client's own node for the hub's echo tool; absent until a provider took it).
   */
  private JsonObject statusData(ClientTx ct, long now) {
    return ct.exec.statusJson(now).put("clientNode", rt.nodeId).put("providerNode", ct.echo ? rt.nodeId : ct.providerNode);
  }

  /** An execution's frame for /ws, with the transaction's {@code traceId} when it is traced (docs/monitor.md). */
  private static JsonObject executionFrame(String type, ClientTx ct, Object data) {
    JsonObject f = MonitorFrame.execution(type, ct.id, data).toJson();
    if (ct.traceId != null) {
      f.put("traceId", ct.traceId);
    }
    return f;
  }

  private void interest(String execId, String node, boolean subscribe) {
    ClientTx ct = rt.tx.routing.started(execId);
    if (ct != null) {
      Hub.on(ct.client.ctx, () -> {
        if (!subscribe) {
          ct.unwatch(node);
          return;
        }
        ct.watch(node);
        long now = System.currentTimeMillis();
        sendTo(node, executionFrame(MonitorFrame.STATUS, ct, statusData(ct, now)));
        if (ct.exec.status().terminal()) {
          sendTo(node, executionFrame(MonitorFrame.METRICS, ct, ct.exec.metricsJson(now)));
        }
      });
      return;
    }
    JsonObject[] done = subscribe ? recent.get(execId) : null;
    if (done != null) {
      sendTo(node, done[0]);
      sendTo(node, done[1]);
    }
  }

  private void sendTo(String node, JsonObject frame) {
    rt.bus.send(HubAddresses.nodeMonitor(node), frame);
  }

  // ---- /ws side: requests from sockets (any context; they run on the owner's) ---------------------------

  void opened(MonitorSession m) {
    Hub.on(owner, () -> sessions.add(m));
  }

  /** Runs {@code action} on the loop of each open /ws socket. */
  void forEachSession(Consumer<MonitorSession> action) {
    Hub.on(owner, () -> sessions.forEach(m -> Hub.on(m.ctx, () -> action.accept(m))));
  }

  /**
   * Subscribes {@code m} to an execution. The node's first socket on it publishes the node's interest, and the owner
   * answers with the current status, relayed to every socket on it then; a later socket gets the node's latest status
   * (and metrics) from {@link #snapshotOf}, to itself alone, or, while the owner's answer is on its way, with the
   * others when it comes. A restricted socket gets its verdict first.
   */
  void subscribeExecution(MonitorSession m, String execId) {
    Hub.on(owner, () -> {
      Subscribers subs = byExecution.get(execId);
      boolean first = subs == null;
      if (first) {
        subs = new Subscribers();
        byExecution.put(execId, subs);
        watched = byExecution.size();
      }
      if (!subs.add(m)) {
        return;
      }
      if (!m.watchesAll) {
        String tool = toolOf.get(execId);
        if (tool == null) {
          awaitingVerdict.computeIfAbsent(execId, k -> new HashSet<>()).add(m);
        } else if (!verdict(m, execId, tool)) {
          return;
        }
      }
      if (first) {
        rt.bus.publish(HubAddresses.MONITOR_INTEREST, new JsonObject().put("executionId", execId)
            .put("node", rt.nodeId).put("subscribe", true));
      } else if (!awaitingVerdict.getOrDefault(execId, Set.of()).contains(m)) {
        snapshotOf.getOrDefault(execId, List.of()).forEach(m::deliver);
      }
    });
  }

  void unsubscribeExecution(MonitorSession m, String execId) {
    Hub.on(owner, () -> {
      if (removeSubscriber(m, execId)) {
        rt.bus.publish(HubAddresses.MONITOR_INTEREST, new JsonObject().put("executionId", execId)
            .put("node", rt.nodeId).put("subscribe", false));
      }
    });
  }

  /**
   * Subscribes {@code m} to {@code topic} (one of MonitorFrame's topics). {@code first} (the acknowledgement, a
   * snapshot) is handed to the socket before any frame of the topic, and only once the topic's frames reach it: for
   * topic events, once the node's events consumer is registered across the cluster. The owner hands every frame to
   * a socket in order, so nothing relayed after {@code first} overtakes it and nothing relayed after it is missed.
   */
  void subscribe(MonitorSession m, String topic, List<String> first) {
    Hub.on(owner, () -> {
      if (!MonitorFrame.TOPIC_EVENTS.equals(topic)) {
        first.forEach(m::deliver);
        byTopic.get(topic).add(m);
        return;
      }
      eventsPending.add(m);
      if (eventsConsumer == null) {
        listenToEvents();
      }
      eventsListening.onComplete(ar -> Hub.on(owner, () -> {
        if (eventsPending.remove(m) && sessions.contains(m)) {
          first.forEach(m::deliver);
          byTopic.get(topic).add(m);
        }
      }));
    });
  }

  void unsubscribe(MonitorSession m, String topic) {
    Hub.on(owner, () -> unsubscribeNow(m, topic));
  }

  /** A /ws socket closed and hands over the executions it watched: topics at once, executions in chunks. */
  void closed(MonitorSession m, Set<String> executions) {
    Hub.on(owner, () -> {
      sessions.remove(m);
      byTopic.keySet().forEach(t -> unsubscribeNow(m, t));
      Iterator<String> left = executions.iterator();
      if (left.hasNext()) {
        unsubscribeSome(m, left);
      }
    });
  }

  // ---- /ws side: relays (the owner's context) -----------------------------------------------------------

  /**
   * A frame of a watched execution arrived for this node's monitors, encoded once: each socket gets it if its
   * credential may watch the execution's tool (known from its status frames); a restricted socket waiting for its
   * verdict gets the verdict first.
   */
  void onExecutionFrame(JsonObject frame) {
    String execId = frame.getString("executionId", "");
    Subscribers subs = byExecution.get(execId);
    if (subs == null || subs.isEmpty()) {
      return;
    }
    if (frame.getValue("data") instanceof JsonObject d && d.getValue("toolName") instanceof String named) {
      toolOf.put(execId, named);
    }
    Set<MonitorSession> waiting = awaitingVerdict.remove(execId);
    String tool = toolOf.get(execId);
    if (waiting != null) {
      for (MonitorSession m : waiting) {
        if (tool == null) {
          awaitingVerdict.computeIfAbsent(execId, k -> new HashSet<>()).add(m);
        } else {
          verdict(m, execId, tool);
        }
      }
    }
    subs = byExecution.get(execId);
    if (subs == null) {
      return;
    }
    SharedFrame shared = new SharedFrame(frame.encode(), null);
    String type = frame.getString("type", "");
    if (MonitorFrame.STATUS.equals(type)) {
      snapshotOf.put(execId, List.of(shared));
    } else if (MonitorFrame.METRICS.equals(type)) {
      List<SharedFrame> status = snapshotOf.getOrDefault(execId, List.of());
      snapshotOf.put(execId, status.isEmpty() ? List.of(shared) : List.of(status.get(0), shared));
    }
    Set<MonitorSession> stillWaiting = awaitingVerdict.get(execId);
    subs.relay(shared, stillWaiting == null ? m -> m.watchesAll || m.identity.mayWatch(tool)
        : m -> !stillWaiting.contains(m) && (m.watchesAll || m.identity.mayWatch(tool)));
  }

  /**
   * A restricted socket's subscription meets the execution's tool: subscribed (true), or refused and dropped
   * (false). The owner's context.
   */
  private boolean verdict(MonitorSession m, String execId, String tool) {
    if (m.identity.mayWatch(tool)) {
      m.deliver(MonitorFrame.execution(MonitorFrame.SUBSCRIBED, execId, new JsonObject()).toJson().encode());
      return true;
    }
    if (removeSubscriber(m, execId)) {
      rt.bus.publish(HubAddresses.MONITOR_INTEREST, new JsonObject().put("executionId", execId)
          .put("node", rt.nodeId).put("subscribe", false));
    }
    m.refused(execId, tool);
    return false;
  }

  /** Relays a ClusterStats snapshot to topic stats. */
  void onStats(JsonObject clusterStats) {
    relay(MonitorFrame.TOPIC_STATS, MonitorFrame.STATS, clusterStats);
  }

  /** Relays an AlertEvent to topic alerts (after each subscriber's snapshot). */
  void onAlert(JsonObject alertEvent) {
    relay(MonitorFrame.TOPIC_ALERTS, MonitorFrame.ALERT, alertEvent);
  }

  /** Relays the cluster health view to topic health. */
  void onHealth(JsonObject clusterHealth) {
    relay(MonitorFrame.TOPIC_HEALTH, MonitorFrame.HEALTH, clusterHealth);
  }

  /**
   * Relays a topic's frame, encoded once. A socket that lags keeps only the latest stats and health views
   * (each supersedes the last); events and alerts each count.
   */
  private void relay(String topic, String type, JsonObject body) {
    Subscribers subs = byTopic.get(topic);
    if (!subs.isEmpty()) {
      boolean view = MonitorFrame.TOPIC_STATS.equals(topic) || MonitorFrame.TOPIC_HEALTH.equals(topic);
      subs.relay(new SharedFrame(MonitorFrame.topic(type, topic, body).toJson().encode(), view ? topic : null));
    }
  }

  /**
   * Relays a hub event to topic events, each view encoded once: to each socket the view its credential allows
   * ({@link EventView}): the whole event, the event without what only admins see, or nothing.
   */
  private void relayEvent(JsonObject event) {
    Subscribers subs = byTopic.get(MonitorFrame.TOPIC_EVENTS);
    if (subs.isEmpty()) {
      return;
    }
    // one view per socket: the whole event, or the one redacted view every non-admin gets, or none
    Set<MonitorSession> whole = new HashSet<>();
    Set<MonitorSession> partial = new HashSet<>();
    JsonObject redacted = null;
    for (MonitorSession m : subs.sockets()) {
      JsonObject v = EventView.view(event, m.identity);
      if (v == event) {
        whole.add(m);
      } else if (v != null) {
        partial.add(m);
        redacted = redacted == null ? v : redacted;
      }
    }
    if (!whole.isEmpty()) {
      subs.relay(eventFrame(event), whole::contains);
    }
    if (redacted != null) {
      subs.relay(eventFrame(redacted), partial::contains);
    }
  }

  private static SharedFrame eventFrame(JsonObject event) {
    return new SharedFrame(MonitorFrame.topic(MonitorFrame.EVENT, MonitorFrame.TOPIC_EVENTS, event).toJson().encode(), null);
  }

  private void listenToEvents() {
    eventsConsumer = rt.bus.consumer(Addresses.HUB_EVENTS, msg -> relayEvent(msg.body()));
    MessageConsumer<JsonObject> registered = eventsConsumer;
    eventsListening = registered.completion();
    registered.completion().onComplete(ar -> {
      if (eventsConsumer == registered) {
        rt.offers.eventsInterest(true);
      }
    });
  }

  private void unsubscribeNow(MonitorSession m, String topic) {
    Subscribers subs = byTopic.get(topic);
    subs.remove(m);
    if (!MonitorFrame.TOPIC_EVENTS.equals(topic)) {
      return;
    }
    eventsPending.remove(m);
    if (subs.isEmpty() && eventsPending.isEmpty() && eventsConsumer != null) {
      eventsConsumer.unregister();
      eventsConsumer = null;
      rt.offers.eventsInterest(false);
    }
  }

  /** Removes {@code m} from the execution's subscribers; true when it was the last one on this node. */
  private boolean removeSubscriber(MonitorSession m, String execId) {
    Set<MonitorSession> waiting = awaitingVerdict.get(execId);
    if (waiting != null && waiting.remove(m) && waiting.isEmpty()) {
      awaitingVerdict.remove(execId);
    }
    Subscribers subs = byExecution.get(execId);
    if (subs == null || !subs.remove(m) || !subs.isEmpty()) {
      return false;
    }
    byExecution.remove(execId);
    toolOf.remove(execId);
    snapshotOf.remove(execId);
    watched = byExecution.size();
    return true;
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
      owner.runOnContext(v -> unsubscribeSome(m, left));
    }
  }
}
