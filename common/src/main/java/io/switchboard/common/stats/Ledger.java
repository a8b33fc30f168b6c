package io.switchboard.common.stats;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

/**
 * The cluster-wide ledger of per-node-id cumulative counters: {@code vertx.sharedData().getAsyncMap(MAP)} (a
 * Hazelcast IMap when clustered, a local map otherwise). Keys are node ids, values {@link LedgerEntry} JSON.
 */
public final class Ledger {
  private Ledger() {}

  public static final String MAP = "switchboard.stats.ledger";

  public static Future<AsyncMap<String, JsonObject>> map(Vertx vertx) {
    return vertx.sharedData().getAsyncMap(MAP);
  }

  /**
   * Merges {@code mine} into the stored entry: read, {@link LedgerEntry#merge}, write if that changes anything,
   * then read back and write again (a few times at most) if a concurrent writer put something older. Since
   * every writer only ever writes a merge of what it read, all writers converge on the same entry.
   *
   * @return the entry stored at the end
   */
  public static Future<LedgerEntry> upsert(AsyncMap<String, JsonObject> map, LedgerEntry mine) {
    return upsert(map, mine, 3);
  }

  private static Future<LedgerEntry> upsert(AsyncMap<String, JsonObject> map, LedgerEntry mine, int attempts) {
    return map.get(mine.nodeId()).compose(storedJson -> {
      LedgerEntry stored = parse(storedJson);
      LedgerEntry merged = LedgerEntry.merge(stored, mine);
      if (merged.equals(stored)) {
        return Future.succeededFuture(stored);
      }
      if (attempts <= 0) {
        return Future.succeededFuture(merged);
      }
      return map.put(mine.nodeId(), merged.toJson()).compose(v -> upsert(map, merged, attempts - 1));
    });
  }

  /** Null for null or an unreadable entry (never fails: a bad entry must not stop the stats service). */
  public static LedgerEntry parse(JsonObject json) {
    if (json == null) {
      return null;
    }
    try {
      return LedgerEntry.fromJson(json);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
