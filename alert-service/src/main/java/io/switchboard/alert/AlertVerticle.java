package io.switchboard.alert;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.alert.AlertEngine.Transition;
import io.switchboard.alert.AlertState.Phase;
import io.switchboard.common.Addresses;
import io.switchboard.common.alert.AlertEvent;
import io.switchboard.common.alert.Silence;
import io.switchboard.common.cluster.FencedLeadership;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert role's one verticle: keeps the latest ClusterStats, answers queries on every replica, and — while it
 * leads — evaluates the rules every {@code alert.evaluationInterval}, persists each transition with the state it
 * leads to, checks its epoch, publishes on {@code switchboard.alerts} and hands notifications to the sinks. Every
 * replica, leader or standby, applies a reload of the rules and sinks (docs/alerts.md, "Changing rules at runtime").
 */
final class AlertVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);

  private final NodeContext node;
  private final AlertSettings settings;
  private final Supplier<SwitchboardConfig> configSource;
  private List<Rule> rules;
  private List<SinkConfig> sinks;
  private final AlertEngine engine;
  private final Map<String, AlertStore.Entry> lastByFp = new HashMap<>();
  /** Episode keys in the history map by startsAt, for pruning to alert.historyMax. */
  private final TreeMap<String, Long> historyKeys = new TreeMap<>();
  private AlertStore store;
  private FencedLeadership leadership;
  private Notifier notifier;
  private HttpClient client;
  private JsonObject latestStats;
  private long latestStatsAt;
  private boolean active;
  private boolean busy;
  private long timer = -1;
  private long leaderRecordTimer = -1;
  /** What this replica wrote as "leader" when it took over; put back should the cluster lose the entry. */
  private JsonObject leaderRecord;
  private Counter staleSkips;
  private Counter reloadsApplied;
  private Counter reloadsRefused;

  /** @param configSource where a reload reads the configuration again */
  AlertVerticle(NodeContext node, List<Rule> rules, List<SinkConfig> sinks, Supplier<SwitchboardConfig> configSource) {
    this.node = node;
    this.settings = AlertSettings.from(node.config());
    this.rules = rules;
    this.sinks = sinks;
    this.engine = new AlertEngine(rules);
    this.configSource = configSource;
  }

  @Override
  public Future<?> start() {
    MeterRegistry reg = node.metrics().registry();
    Gauge.builder("switchboard.alert.leader", this, v -> v.active ? 1 : 0)
        .description("1 while this alert-service replica is the leader that evaluates rules and notifies sinks").register(reg);
    for (String sev : List.of("info", "warning", "critical")) {
      Gauge.builder("switchboard.alerts.firing", this, v -> v.firingCount(sev)).tag("severity", sev)
          .description("Alerts firing, by severity (reported by the leader; 0 on other replicas)").register(reg);
    }
    staleSkips = Counter.builder("switchboard.alert.evaluations.skipped")
        .description("Evaluations skipped because no fresh ClusterStats had arrived").register(reg);
    reloadsApplied = reloadCounter(reg, "applied");
    reloadsRefused = reloadCounter(reg, "refused");
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(AlertSettings.SINK_CONNECT_TIMEOUT_MS).setKeepAlive(true));
    return AlertStore.open(vertx).compose(s -> {
      store = s;
      notifier = new Notifier(vertx, client, sinks, settings.groupWaitMs(), reg, store, this::firingNotified);
      AlertQueries queries = new AlertQueries(store, () -> rules, settings.historyMax(), settings.silences(), this::status,
          this::reloadEverywhere);
      MessageConsumer<JsonObject> stats = vertx.eventBus().consumer(Addresses.STATS_CLUSTER, m -> {
        if (m.body() != null) {
          latestStats = m.body();
          latestStatsAt = System.currentTimeMillis();
        }
      });
      MessageConsumer<Object> q = vertx.eventBus().consumer(Addresses.ALERTS_QUERY, queries::handle);
      MessageConsumer<JsonObject> reloads = vertx.eventBus().consumer(Addresses.ALERTS_RELOAD, m -> {
        if (m.body() != null && !node.nodeId().equals(m.body().getString("origin"))) {
          try {
            reloadHere("asked by node " + m.body().getString("origin"));
          } catch (ConfigException e) {
            // counted and logged by reloadHere; this replica keeps its rules
          }
        }
      });
      return Future.all(stats.completion(), q.completion(), reloads.completion());
    }).compose(v -> {
      leadership = new FencedLeadership(vertx, AlertSettings.LEADERSHIP, node::memberId, this::takeOver, why -> lost());
      timer = vertx.setPeriodic(settings.evaluationIntervalMs(), t -> tick());
      leaderRecordTimer = vertx.setPeriodic(AlertSettings.LEADER_RECORD_CHECK_MS, t -> keepLeaderRecord());
      return leadership.start();
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(leaderRecordTimer);
    Future<Void> left = leadership == null ? Future.succeededFuture() : leadership.stop();
    return left.compose(v -> client.close());
  }

  private JsonObject status() {
    return new JsonObject().put("replica", new JsonObject().put("nodeId", node.nodeId()).put("name", node.identity().name())
        .put("leading", active).put("epoch", active ? leadership.epoch() : 0));
  }

  private double firingCount(String severity) {
    return active ? engine.states().values().stream()
        .filter(s -> s.phase() == Phase.FIRING && s.firing() != null && severity.equals(s.firing().severity())).count() : 0;
  }

  private List<AlertEvent> firingNotified() {
    return engine.states().values().stream().filter(s -> s.phase() == Phase.FIRING && s.notified() && s.firing() != null)
        .map(AlertState::firing).sorted(Comparator.comparingLong(AlertEvent::startsAt)).toList();
  }

  // ---- reload ---------------------------------------------------------------------------------------------

  private static Counter reloadCounter(MeterRegistry reg, String outcome) {
    return Counter.builder("switchboard.alert.reloads").tag("outcome", outcome)
        .description("Reloads of the alert rules and sinks on this replica: applied, or refused by validation (nothing changed)")
        .register(reg);
  }

  /**
   * Reloads here (on this verticle's context), then tells every other replica to reload its own configuration.
   * Fails with the ConfigException naming the rule or sink when this replica's configuration does not validate.
   */
  Future<JsonObject> reloadEverywhere() {
    Promise<JsonObject> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        JsonObject applied = reloadHere("requested on this node");
        vertx.eventBus().publish(Addresses.ALERTS_RELOAD, new JsonObject().put("origin", node.nodeId()));
        done.complete(applied);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  /**
   * Reads the configuration again, validates it as start-up does, and applies its rules and sinks. A configuration
   * that does not validate changes nothing: the ConfigException is counted, logged and thrown.
   */
  private JsonObject reloadHere(String why) {
    AlertService.Checked next;
    try {
      next = AlertService.check(configSource.get());
    } catch (ConfigException e) {
      reloadsRefused.increment();
      LOG.error("alert rules reload ({}) refused; the rules and sinks in use stay: {}", why, e.getMessage());
      throw e;
    }
    Map<String, JsonObject> before = new LinkedHashMap<>();
    rules.forEach(r -> before.put(r.name(), r.toJson()));
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (Rule r : next.rules()) {
      JsonObject old = before.remove(r.name());
      if (old == null) {
        added.add(r.name());
      } else if (!old.equals(r.toJson())) {
        changed.add(r.name());
      }
    }
    List<String> removed = new ArrayList<>(before.keySet());
    rules = next.rules();
    engine.replaceRules(rules);
    boolean sinksChanged = !next.sinks().equals(sinks);
    sinks = next.sinks();
    notifier.replaceSinks(sinks);
    if (sinksChanged && active) {
      store.loadSinkOutbox().onSuccess(outbox -> {
        if (active) {
          notifier.start(outbox);
        }
      });
    }
    reloadsApplied.increment();
    LOG.info("alert rules reloaded ({}): {} rules (added {}, removed {}, changed {}), {} sinks{}", why, rules.size(),
        added, removed, changed, sinks.size(), sinksChanged ? " (changed)" : "");
    return new JsonObject().put("reloaded", true).put("node", node.identity().name())
        .put("rules", new JsonArray(rules.stream().map(Rule::name).toList()))
        .put("added", new JsonArray(added)).put("removed", new JsonArray(removed)).put("changed", new JsonArray(changed))
        .put("sinks", new JsonArray(sinks.stream().map(SinkConfig::name).toList()));
  }

  // ---- leadership -----------------------------------------------------------------------------------------

  /** Elected: continue from the cluster's state; re-publish any transition whose publication is not confirmed. */
  private Future<Void> takeOver(long epoch) {
    long t0 = System.currentTimeMillis();
    return store.loadSeries().compose(entries -> {
      List<AlertState> states = new ArrayList<>();
      lastByFp.clear();
      entries.forEach((fp, e) -> {
        if (e.state() != null) {
          states.add(e.state());
        }
        lastByFp.put(fp, e);
      });
      engine.restore(states);
      List<Map.Entry<String, AlertStore.Entry>> unpublished = new ArrayList<>(entries.entrySet().stream()
          .filter(e -> e.getValue().last() != null && !e.getValue().published()).toList());
      unpublished.sort(Comparator.comparingLong(e -> e.getValue().last().timestamp()));
      Future<Void> chain = Future.succeededFuture();
      for (Map.Entry<String, AlertStore.Entry> e : unpublished) {
        Transition t = new Transition(e.getValue().last(), e.getValue().notified());
        LOG.info("re-publishing unconfirmed transition {} ({} {}) from the previous leader", t.event().id(), t.event().rule(), t.event().state());
        chain = chain.compose(v -> Future.all(store.putHistory(t.event()), notifier.persist(t)).mapEmpty())
            .compose(v -> publish(List.of(t)));
      }
      return chain;
    }).compose(v -> store.loadHistory()).compose(h -> {
      historyKeys.clear();
      h.forEach(e -> historyKeys.put(AlertStore.episodeKey(e), e.startsAt()));
      return store.loadSinkOutbox();
    }).compose(outbox -> {
      notifier.start(outbox);
      active = true;
      LOG.info("alert leader (epoch {}): {} series restored, {} sink notifications pending, took {} ms", epoch,
          engine.states().size(), outbox.size(), System.currentTimeMillis() - t0);
      leaderRecord = new JsonObject().put("nodeId", node.nodeId()).put("name", node.identity().name())
          .put("epoch", epoch).put("since", System.currentTimeMillis());
      return store.putLeader(leaderRecord);
    });
  }

  /**
   * The leader's record in the cluster ({@code /alerts/status}) is written once, at take-over; a member that dies
   * before its partitions were copied (a node killed seconds after the cluster formed) can take it along. The leader
   * puts it back, so the status never shows no leader while one leads.
   */
  private void keepLeaderRecord() {
    JsonObject mine = leaderRecord;
    if (!active || mine == null) {
      return;
    }
    store.leader().onSuccess(current -> {
      if (current == null && active && mine == leaderRecord) {
        // fenced like every act of the leader: a replica superseded since its last check must not write its record
        leadership.check().onSuccess(still -> {
          if (still && mine == leaderRecord) {
            LOG.warn("the alert leader record was lost from the cluster; writing it again (epoch {})", mine.getLong("epoch"));
            store.putLeader(mine);
          }
        });
      }
    });
  }

  private void lost() {
    active = false;
    leaderRecord = null;
    notifier.stop();
  }

  // ---- evaluation -----------------------------------------------------------------------------------------

  private void tick() {
    if (!active || busy) {
      return;
    }
    long now = System.currentTimeMillis();
    if (latestStats == null || now - latestStatsAt > settings.statsStaleAfterMs()) {
      staleSkips.increment();
      return;
    }
    busy = true;
    JsonObject stats = latestStats;
    Future.<Boolean>succeededFuture().compose(x -> leadership.check())
        .compose(ok -> ok ? store.loadSilences().compose(sil -> evaluate(stats, sil)) : Future.succeededFuture())
        .onComplete(ar -> {
          busy = false;
          if (ar.failed()) {
            LOG.error("alert evaluation failed; giving up leadership so the state is reloaded", ar.cause());
            leadership.stepDown("evaluation failed: " + ar.cause());
          }
        });
  }

  /** One evaluation as a short trace of its own (docs/operations.md, Tracing), ended when its writes are done. */
  private Future<Void> evaluate(JsonObject stats, List<Silence> silences) {
    Span span = node.tracing().span("alert.evaluate", SpanKind.INTERNAL, null).startSpan();
    Future<Void> done;
    try (Scope ignored = span.makeCurrent()) {
      done = evaluateRules(stats, silences);
    }
    return done.onComplete(ar -> {
      if (ar.failed()) {
        span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause().getMessage()));
      }
      span.end();
    });
  }

  private Future<Void> evaluateRules(JsonObject stats, List<Silence> silences) {
    long now = System.currentTimeMillis();
    AlertEngine.Result r = engine.evaluate(stats, now, labels -> silences.stream().anyMatch(s -> s.mutes(labels, now)));
    if (r.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, Transition> byFp = new HashMap<>();
    r.transitions().forEach(t -> byFp.put(t.event().fingerprint(), t));
    Set<String> fps = new LinkedHashSet<>(r.changed().keySet());
    fps.addAll(r.removed());
    fps.addAll(byFp.keySet());
    Map<String, AlertState> states = engine.states();
    List<Future<?>> writes = new ArrayList<>();
    for (String fp : fps) {
      Transition t = byFp.get(fp);
      AlertStore.Entry prev = lastByFp.get(fp);
      AlertStore.Entry e = t != null
          ? new AlertStore.Entry(states.get(fp), t.event(), false, t.notified())
          : new AlertStore.Entry(states.get(fp), prev == null ? null : prev.last(), prev == null || prev.published(), prev != null && prev.notified());
      remember(fp, e);
      writes.add(store.putSeries(fp, e));
    }
    for (Transition t : r.transitions()) {
      writes.add(store.putHistory(t.event()));
      writes.add(notifier.persist(t));
    }
    // persisted first; then, if still the leader (epoch unchanged), published
    return Future.all(writes).compose(v -> leadership.check())
        .compose(ok -> ok ? publish(r.transitions()) : Future.succeededFuture());
  }

  private Future<Void> publish(List<Transition> transitions) {
    List<Future<?>> confirms = new ArrayList<>();
    for (Transition t : transitions) {
      AlertEvent e = t.event();
      vertx.eventBus().publish(Addresses.ALERTS, e.toJson());
      Counter.builder("switchboard.alert.transitions").tag("state", e.state()).tag("severity", e.severity())
          .description("Alert transitions published (firing, resolved) by severity").register(node.metrics().registry()).increment();
      LOG.info("alert {} {} [{}] {} id={} value={}", e.rule(), e.state(), e.severity(), e.labels(), e.id(), e.value());
      AlertStore.Entry prev = lastByFp.get(e.fingerprint());
      AlertStore.Entry done = new AlertStore.Entry(prev == null ? null : prev.state(), e, true, t.notified());
      remember(e.fingerprint(), done);
      confirms.add(store.putSeries(e.fingerprint(), done));
      notifier.deliver(t);
      if (e.firing()) {
        historyKeys.put(AlertStore.episodeKey(e), e.startsAt());
      }
    }
    pruneHistory(confirms);
    return Future.all(confirms).mapEmpty();
  }

  private void remember(String fp, AlertStore.Entry e) {
    if (e.state() == null && (e.last() == null || e.published())) {
      lastByFp.remove(fp);
    } else {
      lastByFp.put(fp, e);
    }
  }

  private void pruneHistory(List<Future<?>> writes) {
    int max = settings.historyMax();
    if (historyKeys.size() <= max) {
      return;
    }
    List<Map.Entry<String, Long>> byAge = new ArrayList<>(historyKeys.entrySet());
    byAge.sort(Map.Entry.comparingByValue());
    Set<String> drop = new HashSet<>();
    for (int i = 0; i < byAge.size() - max; i++) {
      drop.add(byAge.get(i).getKey());
    }
    drop.forEach(k -> {
      historyKeys.remove(k);
      writes.add(store.removeHistory(k));
    });
  }
}
