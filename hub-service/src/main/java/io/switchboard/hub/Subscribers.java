package io.switchboard.hub;

import io.vertx.core.Context;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The /ws sockets of one subscription (an execution or a topic), grouped by the context that owns each socket.
 * Owned by the monitor verticle's context ({@link Monitors}). A relay hands each context's {@link FanoutQueue} the
 * frame with an immutable array of its sockets (a snapshot rebuilt only after a change), so a frame costs one entry
 * per event loop and not one task per socket (docs/architecture.md, threading rule: snapshot).
 */
final class Subscribers {
  private final Map<Context, Group> byContext = new HashMap<>(4);
  private int size;

  /** Adds {@code m}; false when it was there already. */
  boolean add(MonitorSession m) {
    boolean added = byContext.computeIfAbsent(m.ctx, c -> new Group(c, m.outbox)).members.add(m);
    if (added) {
      size++;
      byContext.get(m.ctx).snapshot = null;
    }
    return added;
  }

  /** Removes {@code m}; false when it was not there. */
  boolean remove(MonitorSession m) {
    Group g = byContext.get(m.ctx);
    if (g == null || !g.members.remove(m)) {
      return false;
    }
    size--;
    g.snapshot = null;
    if (g.members.isEmpty()) {
      byContext.remove(m.ctx);
    }
    return true;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** Hands {@code frame} to every socket, in the order of the relays, one task per owning context. */
  void relay(SharedFrame frame) {
    relay(frame, m -> true);
  }

  /**
   * Hands {@code frame} to the sockets that pass {@code who} (tested here, on the owner's context), in the order of
   * the relays, one task per owning context that has any.
   */
  void relay(SharedFrame frame, Predicate<MonitorSession> who) {
    for (Group g : byContext.values()) {
      MonitorSession[] to = g.snapshot();
      for (MonitorSession m : to) {
        if (!who.test(m)) {
          to = Arrays.stream(to).filter(who).toArray(MonitorSession[]::new);
          break;
        }
      }
      if (to.length == 0) {
        continue;
      }
      g.outbox.add(frame, to);
    }
  }

  /** Every socket, for a look on the owner's context. */
  Iterable<MonitorSession> sockets() {
    return () -> byContext.values().stream().flatMap(g -> g.members.stream()).iterator();
  }

  /** The sockets of one context and the array relays hand to it. */
  private static final class Group {
    final Context ctx;
    /** The queue of the context's event loop, which writes the frames. */
    final FanoutQueue outbox;
    final Set<MonitorSession> members = new LinkedHashSet<>();
    /** Immutable once built; replaced (set to null) on each change. */
    MonitorSession[] snapshot;

    Group(Context ctx, FanoutQueue outbox) {
      this.ctx = ctx;
      this.outbox = outbox;
    }

    MonitorSession[] snapshot() {
      if (snapshot == null) {
        snapshot = members.toArray(new MonitorSession[0]);
      }
      return snapshot;
    }
  }
}
