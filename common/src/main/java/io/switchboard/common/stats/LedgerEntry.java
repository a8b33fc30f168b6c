package io.switchboard.common.stats;

import io.vertx.core.json.JsonObject;

/**
 * The cluster's memory of one node id's cumulative counters, kept in the Hazelcast-backed map
 * {@link Ledger#MAP} so totals never go backwards when a node dies, restarts (a new node id) or when stats
 * services restart. JSON:
 *
 * <pre>
 * {nodeId, memberId, name, startedAt, seq, timestamp, state:"live"|"left"|"stopped", departedAt (epoch ms or null),
 *  counters:{connectionsTotal, connectionsRefused, framesReceived, messagesIn, messagesOut, errors, errorsByCode:{},
 *            executions:{started, completed, failed, cancelled}}}
 * </pre>
 *
 * Several writers may write one key (each stats replica, and the node itself on a graceful stop); {@link #merge}
 * is commutative and idempotent, so they converge on the entry of the highest {@code seq}.
 */
public record LedgerEntry(
    String nodeId,
    String memberId,
    String name,
    long startedAt,
    long seq,
    long timestamp,
    String state,
    Long departedAt,
    Totals totals) {

  public static final String LIVE = "live";
  public static final String LEFT = "left";
  public static final String STOPPED = "stopped";

  public boolean departed() {
    return !LIVE.equals(state);
  }

  public static LedgerEntry of(NodeReport r, String state, Long departedAt) {
    return new LedgerEntry(r.nodeId(), r.memberId(), r.name(), r.startedAt(), r.seq(), r.timestamp(), state, departedAt,
        Totals.fromCounters(r.counters()));
  }

  public LedgerEntry withState(String newState, Long at) {
    return new LedgerEntry(nodeId, memberId, name, startedAt, seq, timestamp, newState, at, totals);
  }

  private static int rank(String state) {
    return switch (state) {
      case STOPPED -> 2;
      case LEFT -> 1;
      default -> 0;
    };
  }

  /**
   * The entry with the higher seq wins whole (a report newer than a departure means the node id is alive after
   * all, e.g. after a split brain healed). For the same seq (same counters): the more final state (stopped over
   * left over live) and the earliest departure.
   */
  public static LedgerEntry merge(LedgerEntry a, LedgerEntry b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    if (a.seq != b.seq) {
      return a.seq > b.seq ? a : b;
    }
    LedgerEntry base = a.timestamp >= b.timestamp ? a : b;
    String state = rank(a.state) >= rank(b.state) ? a.state : b.state;
    Long departed;
    if (LIVE.equals(state)) {
      departed = null;
    } else if (a.departedAt == null || b.departedAt == null) {
      departed = a.departedAt == null ? b.departedAt : a.departedAt;
    } else {
      departed = Math.min(a.departedAt, b.departedAt);
    }
    return new LedgerEntry(base.nodeId, base.memberId, base.name, base.startedAt, base.seq, base.timestamp,
        state, departed, base.totals);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("nodeId", nodeId)
        .put("memberId", memberId)
        .put("name", name)
        .put("startedAt", startedAt)
        .put("seq", seq)
        .put("timestamp", timestamp)
        .put("state", state)
        .put("departedAt", departedAt)
        .put("counters", totals.toJson());
  }

  public static LedgerEntry fromJson(JsonObject j) {
    String nodeId = j.getString("nodeId");
    if (nodeId == null || nodeId.isEmpty()) {
      throw new IllegalArgumentException("ledger entry without nodeId");
    }
    String state = j.getString("state", LIVE);
    if (!state.equals(LIVE) && !state.equals(LEFT) && !state.equals(STOPPED)) {
      throw new IllegalArgumentException("ledger entry state must be live, left or stopped, not " + state);
    }
    return new LedgerEntry(nodeId, j.getString("memberId", nodeId), j.getString("name", nodeId),
        j.getLong("startedAt", 0L), j.getLong("seq", 0L), j.getLong("timestamp", 0L), state, j.getLong("departedAt"),
        Totals.fromCounters(j.getJsonObject("counters")));
  }
}
