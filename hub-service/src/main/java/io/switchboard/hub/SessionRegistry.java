package io.switchboard.hub;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The HAIP sessions of this node, as a board (docs/architecture.md, "Threading rule"): one immutable {@link Entry}
 * per session, put, replaced and removed only on that session's event loop. Any context may read the entries; to
 * act on a session it runs on the session's context ({@link #forEach}).
 */
final class SessionRegistry {
  /**
   * What other contexts may know of a session: a snapshot its own loop publishes when it opens, when its handshake
   * is accepted and when it becomes an agent.
   *
   * @param session the session; touch it only on {@code session.ctx}
   * @param role its role (CLIENT until an accepted agent HAI)
   * @param handshaken whether its HAI was accepted
   * @param platform the platform its HAI named, at most 64 characters, "" when none
   * @param connectedAt when its socket opened (epoch ms)
   * @param tools the names of the tools an agent offers (empty for a client)
   */
  record Entry(HaipSession session, Role role, boolean handshaken, String platform, long connectedAt, List<String> tools) {
    String id() {
      return session.id;
    }

    JsonObject describe(String nodeId, long nowMs) {
      return new JsonObject().put("client_id", session.id).put("type", role.wire).put("platform", platform)
          .put("node", nodeId).put("connected_at", connectedAt).put("uptime_seconds", (nowMs - connectedAt) / 1000)
          .put("tools", new JsonArray(tools));
    }
  }

  /** Oldest first; ties by id, as the cluster-wide merge of pages orders them (stats ClientPages). */
  private static final Comparator<Entry> OLDEST_FIRST =
      Comparator.comparingLong(Entry::connectedAt).thenComparing(Entry::id);

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** Publishes a session's snapshot (the session's own loop). */
  void publish(Entry e) {
    entries.put(e.id(), e);
  }

  /** Takes a closed session off the board (the session's own loop). */
  void remove(String sessionId) {
    entries.remove(sessionId);
  }

  /** Runs {@code action} on the context of each session {@code which} selects; completes once every one has run. */
  Future<Void> forEach(Predicate<Entry> which, Consumer<HaipSession> action) {
    List<Future<Void>> ran = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (which.test(e)) {
        Promise<Void> p = Promise.promise();
        Context ctx = e.session().ctx;
        Hub.on(ctx, () -> {
          action.accept(e.session());
          p.complete();
        });
        ran.add(p.future());
      }
    }
    return Future.join(ran).mapEmpty();
  }

  /** Runs {@code action} on each session's own context, with nothing to wait for (the liveness tick). */
  void forEachSession(Consumer<HaipSession> action) {
    for (Entry e : entries.values()) {
      HaipSession s = e.session();
      Hub.on(s.ctx, () -> action.accept(s));
    }
  }

  boolean none(Predicate<Entry> which) {
    return entries.values().stream().noneMatch(which);
  }

  /**
   * {@code {clients:[...], total}}: this node's handshaken sessions of {@code type} (any when null), the oldest
   * {@code limit} by connected_at, and how many there are.
   */
  JsonObject clients(String type, int limit, String nodeId, long nowMs) {
    List<Entry> matching = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.handshaken() && (type == null || type.equals(e.role().wire))) {
        matching.add(e);
      }
    }
    matching.sort(OLDEST_FIRST);
    JsonArray list = new JsonArray();
    for (int i = 0; i < matching.size() && i < limit; i++) {
      list.add(matching.get(i).describe(nodeId, nowMs));
    }
    return new JsonObject().put("clients", list).put("total", matching.size());
  }
}
