package io.switchboard.stats;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.switchboard.common.Addresses;
import io.switchboard.common.cluster.FencedLeadership;
import io.switchboard.common.health.ClusterHealthProbe;
import io.switchboard.common.http.ApiError;
import io.switchboard.common.node.NodeContext;
import io.switchboard.common.stats.ClusterStats;
import io.switchboard.common.stats.Ledger;
import io.switchboard.common.stats.LedgerEntry;
import io.switchboard.common.stats.NodeReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring of the stats role: consumes every NodeReport into a {@link ClusterView}, keeps the cluster ledger in
 * step, answers {@code switchboard.stats.query}, and — while it holds the publisher lock — publishes
 * ClusterStats on {@code switchboard.stats.cluster} and the cluster health view on {@code switchboard.health.cluster}
 * every interval (docs/operations.md, "Cluster health"). Every replica takes the health view's counts into its
 * ClusterStats. All logic lives in the pure classes.
 */
final class StatsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StatsVerticle.class);
  static final String PUBLISHER_LOCK = "switchboard.stats.publisher";
  /** The publisher's leadership: lock and epoch names; a short lock wait, tried again every interval. */
  static FencedLeadership.Settings publisherLeadership(StatsSettings s) {
    return new FencedLeadership.Settings("stats publisher", PUBLISHER_LOCK, "switchboard.stats.publisherEpoch",
        10, s.intervalMs());
  }
  /** Per hub node, for the clients scope: short, so the whole answer fits the 2 s query timeout. */
  static final long CLIENTS_TIMEOUT_MS = 1_000;
  /** Re-read the whole ledger every this many intervals, to converge with other replicas. */
  static final int LEDGER_RELOAD_TICKS = 10;

  private final NodeContext node;
  private final StatsSettings settings;
  private final ClusterView view;
  private StatsMeters meters;
  private AsyncMap<String, JsonObject> ledger;
  private long timer = -1;
  private long ticks;
  private boolean writing;
  private boolean reloading;
  /** Held while this replica publishes ClusterStats. */
  private FencedLeadership publisher;
  private UUID membershipRegistration;
  private ClusterHealthProbe healthProbe;
  /** A health view is being taken (at most one at a time: a view can take up to the 1 s member timeout). */
  private boolean takingHealth;
  private ClusterStats cached;
  private long cachedVersion = -1;
  private long cachedAt;

  StatsVerticle(NodeContext node) {
    this.node = node;
    this.settings = StatsSettings.from(node.config());
    this.view = new ClusterView(settings);
  }

  @Override
  public Future<?> start() {
    meters = new StatsMeters(node.metrics().registry());
    healthProbe = new ClusterHealthProbe(node);
    return Ledger.map(vertx)
        .compose(map -> {
          ledger = map;
          return reloadLedger();
        })
        .compose(v -> {
          MessageConsumer<Object> reports = vertx.eventBus().consumer(Addresses.NODE_REPORT, this::onReport);
          MessageConsumer<Object> queries = vertx.eventBus().consumer(Addresses.STATS_QUERY, this::onQuery);
          MessageConsumer<Object> health = vertx.eventBus().consumer(Addresses.HEALTH_CLUSTER, this::onHealth);
          if (node.clustered()) {
            membershipRegistration = node.clusterManager().getHazelcastInstance().getCluster()
                .addMembershipListener(new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent e) {}

                  @Override
                  public void memberRemoved(MembershipEvent e) {
                    context.runOnContext(x -> checkMembers());
                  }
                });
          }
          timer = vertx.setPeriodic(settings.intervalMs(), t -> tick());
          publisher = new FencedLeadership(vertx, publisherLeadership(settings), node::memberId, this::publishing,
              this::notPublishing);
          return Future.all(reports.completion(), queries.completion(), health.completion())
              .compose(x -> publisher.start());
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    if (membershipRegistration != null) {
      try {
        node.clusterManager().getHazelcastInstance().getCluster().removeMembershipListener(membershipRegistration);
      } catch (RuntimeException e) {
        // Hazelcast already shut down
      }
    }
    Future<Void> left = publisher == null ? Future.succeededFuture() : publisher.stop();
    // best effort: what this replica learnt last goes to the ledger before it leaves
    return left.compose(v -> flushLedger()).timeout(Addresses.QUERY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(e -> Future.succeededFuture());
  }

  private void onReport(Message<Object> msg) {
    NodeReport r;
    try {
      r = NodeReport.fromJson(msg.body() instanceof JsonObject j ? j : null);
    } catch (RuntimeException e) {
      meters.reportsRejected.increment();
      LOG.debug("invalid node report ignored: {}", e.getMessage());
      return;
    }
    (view.accept(r, System.currentTimeMillis()) ? meters.reportsAccepted : meters.reportsIgnored).increment();
  }

  private void tick() {
    ticks++;
    checkMembers();
    if (ticks % LEDGER_RELOAD_TICKS == 0) {
      reloadLedger();
    }
    flushLedger();
    ClusterStats stats = stats();
    meters.nodesUp.set(stats.nodesUp());
    meters.nodesStale.set(stats.nodes() - stats.nodesUp());
    meters.nodesDown.set(stats.nodesDown());
    meters.membersNotReady.set(stats.health().membersNotReady());
    meters.membersUnreachable.set(stats.health().membersUnreachable());
    if (publisher.leading()) {
      // fenced: published only while the lock and the epoch are still this replica's
      publisher.check().onSuccess(still -> {
        if (still) {
          vertx.eventBus().publish(Addresses.STATS_CLUSTER, stats.toJson());
          meters.published.increment();
        }
      });
      publishHealth();
    }
  }

  /** Takes the cluster health view and publishes it, fenced like the stats. */
  private void publishHealth() {
    if (takingHealth) {
      return;
    }
    takingHealth = true;
    healthProbe.view()
        .compose(v -> publisher.check().map(still -> {
          if (still) {
            vertx.eventBus().publish(Addresses.HEALTH_CLUSTER, v.toJson(healthProbe.requiredRoles())
                .put("askedBy", node.nodeId()));
          }
          return still;
        }))
        .onComplete(ar -> takingHealth = false);
  }

  private void onHealth(Message<Object> msg) {
    if (msg.body() instanceof JsonObject j) {
      view.healthCounts(new ClusterStats.Health(j.getInteger("members", 0), j.getInteger("membersNotReady", 0),
          j.getInteger("membersUnreachable", 0)), System.currentTimeMillis());
    }
  }

  private Future<Void> publishing(long epoch) {
    meters.publisher.set(1);
    LOG.info("this stats replica now publishes cluster stats (publisher epoch {})", epoch);
    return Future.succeededFuture();
  }

  private void notPublishing(FencedLeadership.Loss why) {
    meters.publisher.set(0);
    if (why == FencedLeadership.Loss.SUPERSEDED || why == FencedLeadership.Loss.MEMBER_CHANGED) {
      meters.publisherLost.increment();
    }
  }

  private void checkMembers() {
    if (!node.clustered()) {
      return;
    }
    List<String> departed = view.members(new HashSet<>(node.clusterManager().getNodes()), System.currentTimeMillis());
    if (!departed.isEmpty()) {
      LOG.info("nodes left the cluster: {}", departed);
      flushLedger();
    }
  }

  private Future<Void> reloadLedger() {
    if (reloading) {
      return Future.succeededFuture();
    }
    reloading = true;
    return ledger.entries()
        .map(entries -> {
          List<LedgerEntry> parsed = new ArrayList<>();
          entries.values().forEach(j -> parsed.add(Ledger.parse(j)));
          view.ledgerContent(parsed);
          return (Void) null;
        })
        .onFailure(e -> {
          meters.ledgerErrors.increment();
          LOG.warn("could not read the stats ledger: {}", e.getMessage());
        })
        .onComplete(ar -> reloading = false);
  }

  private Future<?> flushLedger() {
    if (writing) {
      return Future.succeededFuture();
    }
    List<LedgerEntry> pending = view.pendingWrites();
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    writing = true;
    List<Future<LedgerEntry>> writes = new ArrayList<>();
    for (LedgerEntry e : pending) {
      writes.add(Ledger.upsert(ledger, e).onSuccess(stored -> {
        meters.ledgerWrites.increment();
        view.written(stored);
      }).onFailure(err -> meters.ledgerErrors.increment()));
    }
    return Future.join(writes).onComplete(ar -> writing = false);
  }

  private ClusterStats stats() {
    long now = System.currentTimeMillis();
    if (cached == null || cachedVersion != view.version() || now - cachedAt > 100) {
      cached = view.stats(now);
      cachedVersion = view.version();
      cachedAt = now;
    }
    return cached;
  }

  private void onQuery(Message<Object> msg) {
    StatsQuery q;
    try {
      q = StatsQuery.parse(msg.body());
    } catch (StatsQuery.BadQuery e) {
      meters.query("invalid");
      msg.fail(400, e.getMessage());
      return;
    }
    meters.query(q.scope());
    // a short span of its own, child of the asker's trace when the query carried one (docs/operations.md, Tracing)
    Span span = node.tracing().span("stats.query " + q.scope(), SpanKind.SERVER, Context.current()).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      answer(msg, q);
    } finally {
      span.end();
    }
  }

  private void answer(Message<Object> msg, StatsQuery q) {
    long now = System.currentTimeMillis();
    switch (q.scope()) {
      case "cluster" -> msg.reply(stats().toJson());
      case "nodes" -> msg.reply(view.nodesJson(now));
      case "health" -> msg.reply(view.health(now));
      case "node" -> view.nodeJson(q.nodeId(), now).ifPresentOrElse(msg::reply,
          () -> msg.fail(404, "no live node with id '" + ApiError.excerpt(q.nodeId(), 64) + "' in the cluster view"));
      case "clients" -> clients(q).onSuccess(msg::reply).onFailure(e -> {
        LOG.warn("clients query failed", e);
        msg.fail(500, "the client list could not be gathered");
      });
      default -> msg.fail(400, "unknown scope " + q.scope());
    }
  }

  private Future<JsonObject> clients(StatsQuery q) {
    List<String> hubs = view.liveNodesWithRole("hub", System.currentTimeMillis());
    JsonObject request = new JsonObject().put("limit", q.offset() + q.limit());
    if (q.type() != null) {
      request.put("type", q.type());
    }
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(CLIENTS_TIMEOUT_MS);
    List<Future<ClientPages.NodeAnswer>> asks = new ArrayList<>();
    for (String id : hubs) {
      asks.add(vertx.eventBus().<Object>request(Addresses.nodeClients(id), request, opts)
          .map(m -> new ClientPages.NodeAnswer(id, m.body() instanceof JsonObject j ? j : new JsonObject(), null))
          .otherwise(e -> new ClientPages.NodeAnswer(id, null, e.getMessage())));
    }
    return Future.all(asks).map(all -> {
      List<ClientPages.NodeAnswer> answers = new ArrayList<>();
      asks.forEach(f -> answers.add(f.result()));
      return ClientPages.merge(answers, q.type(), q.limit(), q.offset());
    });
  }
}
