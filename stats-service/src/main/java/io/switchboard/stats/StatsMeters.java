package io.switchboard.stats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** The stats service's own meters (bounded labels: fixed scopes and states). */
final class StatsMeters {
  static final List<String> SCOPES = List.of("cluster", "node", "nodes", "clients", "health", "invalid");

  final Counter reportsAccepted;
  final Counter reportsIgnored;
  final Counter reportsRejected;
  final Counter ledgerWrites;
  final Counter ledgerErrors;
  final Counter published;
  final Counter publisherLost;
  final AtomicLong publisher = new AtomicLong();
  final AtomicLong nodesUp = new AtomicLong();
  final AtomicLong nodesStale = new AtomicLong();
  final AtomicLong nodesDown = new AtomicLong();
  final AtomicLong membersNotReady = new AtomicLong();
  final AtomicLong membersUnreachable = new AtomicLong();
  private final Map<String, Counter> queries = new TreeMap<>();

  StatsMeters(MeterRegistry r) {
    reportsAccepted = Counter.builder("switchboard.stats.reports").tag("outcome", "accepted")
        .description("Node reports this stats replica received, by outcome").register(r);
    reportsIgnored = Counter.builder("switchboard.stats.reports").tag("outcome", "ignored")
        .description("Node reports this stats replica received, by outcome").register(r);
    reportsRejected = Counter.builder("switchboard.stats.reports").tag("outcome", "invalid")
        .description("Node reports this stats replica received, by outcome").register(r);
    ledgerWrites = Counter.builder("switchboard.stats.ledger.writes")
        .description("Writes of per-node cumulative counters to the cluster ledger").register(r);
    ledgerErrors = Counter.builder("switchboard.stats.ledger.errors")
        .description("Failed reads or writes of the cluster ledger").register(r);
    published = Counter.builder("switchboard.stats.cluster.published")
        .description("ClusterStats snapshots this replica published on switchboard.stats.cluster").register(r);
    publisherLost = Counter.builder("switchboard.stats.publisher.lost")
        .description("Times this replica stopped publishing because the cluster had dropped it (and freed its lock)")
        .register(r);
    Gauge.builder("switchboard.stats.publisher", publisher, AtomicLong::get)
        .description("1 while this stats replica holds the publisher lock, else 0").register(r);
    Gauge.builder("switchboard.stats.nodes", nodesUp, AtomicLong::get).tag("state", "up")
        .description("Nodes in the cluster view by state (up, stale, down)").register(r);
    Gauge.builder("switchboard.stats.nodes", nodesStale, AtomicLong::get).tag("state", "stale")
        .description("Nodes in the cluster view by state (up, stale, down)").register(r);
    Gauge.builder("switchboard.stats.nodes", nodesDown, AtomicLong::get).tag("state", "down")
        .description("Nodes in the cluster view by state (up, stale, down)").register(r);
    Gauge.builder("switchboard.health.members", membersNotReady, AtomicLong::get).tag("state", "notReady")
        .description("Cluster members not ready (ready probe failed or no answer), and of those unreachable, in the "
            + "last cluster health view this replica received").register(r);
    Gauge.builder("switchboard.health.members", membersUnreachable, AtomicLong::get).tag("state", "unreachable")
        .description("Cluster members not ready (ready probe failed or no answer), and of those unreachable, in the "
            + "last cluster health view this replica received").register(r);
    for (String s : SCOPES) {
      queries.put(s, Counter.builder("switchboard.stats.queries").tag("scope", s)
          .description("Stats queries answered, by scope (invalid: refused with 400)").register(r));
    }
  }

  void query(String scope) {
    queries.getOrDefault(scope, queries.get("invalid")).increment();
  }
}
