package io.switchboard.common.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among the replicas of a role (the stats publisher, the alert evaluator): a cluster-wide Vert.x lock
 * held for as long as this replica leads, fenced by an epoch counter that every taker of the lock increments.
 * docs/architecture.md, "Leadership and fencing", describes the scheme; this is its one implementation.
 *
 * <p>Contract:
 * <ul>
 *   <li>The leader calls {@link #check()} before each act. It answers false, and leadership ends with
 *       {@link Loss#SUPERSEDED}, when the cluster's epoch moved past this replica's (another replica took the lock:
 *       Hazelcast freed it while this one was paused or split off), or with {@link Loss#MEMBER_CHANGED} when this
 *       node's Hazelcast member id changed since it took the lock (it was dropped and merged back, and Hazelcast freed
 *       its locks when it dropped it). A lock lost this way is never released: Vert.x releases by name, which would
 *       free the new holder's lock.</li>
 *   <li>Epochs only count up. The counter lives in one Hazelcast map entry; a split that loses both copies of its
 *       partition loses it. A lost entry is recreated at the highest epoch this replica has seen, a lower value is
 *       put back by the leader, and a taker skips past epochs already used.</li>
 *   <li>{@link #stepDown(String)} gives up a lock this replica holds (releases it); {@link #stop()} does the same
 *       once {@link #check()} confirms it still holds it.</li>
 *   <li>All methods run on the owning verticle's context; callbacks are called there.</li>
 * </ul>
 */
public final class FencedLeadership {
  private static final Logger LOG = LoggerFactory.getLogger(FencedLeadership.class);
  /** At a stop, how long the last check may take before the lock is left for the cluster to free. */
  private static final long STOP_CHECK_MS = 2_000;

  /** Why leadership ended. */
  public enum Loss {
    /** Another replica took the lock (the epoch moved past this one's). */
    SUPERSEDED,
    /** This node was dropped from the cluster and merged back (its member id changed). */
    MEMBER_CHANGED,
    /** Given up by this replica: its take-over or its work failed. */
    STEPPED_DOWN,
    /** The verticle stopped. */
    STOPPED
  }

  /** Names and timing of one leadership. */
  public record Settings(String role, String lockName, String epochName, long acquireTimeoutMs, long retryMs) {}

  private final Vertx vertx;
  private final Settings settings;
  private final Supplier<String> memberId;
  private final LongFunction<Future<Void>> onElected;
  private final Consumer<Loss> onLost;
  private Counter counter;
  private Lock lock;
  private String lockMember;
  private long epoch;
  /** The highest epoch this replica has seen (its own, or read from the cluster): the floor for a recreated counter. */
  private long highestSeen;
  private boolean contending;
  private boolean stopped;

  /**
   * @param memberId this node's cluster member id now (a constant when unclustered; null while the cluster is down)
   * @param onElected called with the new epoch; leadership is kept if it succeeds, given up if it fails
   * @param onLost called once when leadership ends, with why
   */
  public FencedLeadership(Vertx vertx, Settings settings, Supplier<String> memberId,
      LongFunction<Future<Void>> onElected, Consumer<Loss> onLost) {
    this.vertx = vertx;
    this.settings = settings;
    this.memberId = memberId;
    this.onElected = onElected;
    this.onLost = onLost;
  }

  public Future<Void> start() {
    return vertx.sharedData().getCounter(settings.epochName()).map(c -> {
      counter = c;
      contend();
      return null;
    });
  }

  public boolean leading() {
    return lock != null && epoch > 0;
  }

  public long epoch() {
    return epoch;
  }

  private void contend() {
    if (stopped || lock != null || contending) {
      return;
    }
    contending = true;
    vertx.sharedData().getLockWithTimeout(settings.lockName(), settings.acquireTimeoutMs())
        .onSuccess(l -> {
          contending = false;
          if (stopped) {
            l.release();
            return;
          }
          lock = l;
          lockMember = memberId.get();
          nextEpoch()
              .compose(e -> {
                epoch = e;
                highestSeen = Math.max(highestSeen, e);
                LOG.info("{} leadership acquired (epoch {})", settings.role(), e);
                return onElected.apply(e);
              })
              .onFailure(err -> {
                LOG.debug("{} take-over failed", settings.role(), err);
                stepDown("taking over failed: " + err);
              });
        })
        .onFailure(err -> {
          contending = false;
          if (!stopped) {
            // a standby learns the current epoch too, so it can restore the counter should its entry be lost
            Future.<Long>succeededFuture().compose(x -> counter.get())
                .onSuccess(v -> highestSeen = Math.max(highestSeen, v == null ? 0 : v));
            vertx.setTimer(settings.retryMs(), t -> contend());
          }
        });
  }

  /** Whether this replica still leads: it holds the lock, its member id is unchanged and the epoch is its own. */
  public Future<Boolean> check() {
    if (!leading()) {
      return Future.succeededFuture(false);
    }
    String now = memberId.get();
    if (now != null && !now.equals(lockMember)) {
      lost(Loss.MEMBER_CHANGED, "this node was dropped from the cluster and merged back (member " + lockMember
          + " is now " + now + "); the cluster freed its lock meanwhile");
      return Future.succeededFuture(false);
    }
    long mine = epoch;
    return currentEpoch().compose(current -> {
      highestSeen = Math.max(highestSeen, current);
      if (mine != epoch || !leading()) {
        return Future.succeededFuture(false);
      }
      if (current > mine) {
        lost(Loss.SUPERSEDED, "epoch moved from " + mine + " to " + current + " (another replica took the lock)");
        return Future.succeededFuture(false);
      }
      if (current < mine) {
        // elections only count up: a lower value is a counter recreated after a split, not a newer leader. Put ours
        // back; a leader elected on the recreated counter holds a lower epoch and steps down when it next checks.
        LOG.warn("the {} epoch counter went back from {} to {}; restoring it", settings.role(), mine, current);
        return counter.compareAndSet(current, mine).compose(ok -> ok ? Future.succeededFuture(true) : check());
      }
      return Future.succeededFuture(true);
    });
  }

  /** The next epoch: the counter incremented; recreated first (at no less than {@link #highestSeen}) if its entry was lost. */
  private Future<Long> nextEpoch() {
    return Future.<Long>succeededFuture().compose(x -> counter.incrementAndGet())
        .recover(err -> recreate("incrementing it failed: " + err).compose(Counter::incrementAndGet))
        .compose(e -> {
          if (e > highestSeen) {
            return Future.succeededFuture(e);
          }
          // the counter came back lower than an epoch already used (a recreated entry merged over ours): skip past it
          long next = highestSeen + 1;
          LOG.warn("the {} epoch counter read {} after epoch {} was used; moving it to {}", settings.role(), e, highestSeen, next);
          return counter.compareAndSet(e, next).compose(ok -> ok ? Future.succeededFuture(next) : nextEpoch());
        });
  }

  /** The cluster's epoch; a lost entry (read as null) is recreated at {@link #highestSeen} and read again. */
  private Future<Long> currentEpoch() {
    return Future.<Long>succeededFuture().compose(x -> counter.get())
        .compose(v -> v != null ? Future.succeededFuture(v) : recreate("its entry is gone").compose(Counter::get));
  }

  /**
   * Gets the counter afresh (Vert.x puts 0 if absent) and lifts it to {@link #highestSeen} when it is lower, with a
   * compare-and-set so that a value another replica wrote meanwhile wins.
   */
  private Future<Counter> recreate(String why) {
    long floor = highestSeen;
    LOG.warn("the {} epoch counter was lost with its cluster partition ({}); recreating it at no less than {}",
        settings.role(), why, floor);
    return vertx.sharedData().getCounter(settings.epochName()).compose(c -> {
      counter = c;
      return c.get().compose(v -> {
        long now = v == null ? 0 : v;
        return now >= floor ? Future.succeededFuture(c) : c.compareAndSet(now, floor).map(ok -> c);
      });
    });
  }

  /** Gives up the lock this replica holds (releases it) and contends again after the retry delay. */
  public void stepDown(String reason) {
    if (lock == null) {
      return;
    }
    LOG.warn("{} leadership given up (epoch {}): {}", settings.role(), epoch, reason);
    Lock l = lock;
    forget();
    release(l);
    onLost.accept(Loss.STEPPED_DOWN);
    retryLater();
  }

  /** Leadership ended elsewhere: the lock is another replica's now, so it is forgotten, not released. */
  private void lost(Loss why, String reason) {
    LOG.warn("{} leadership lost (epoch {}): {}", settings.role(), epoch, reason);
    forget();
    onLost.accept(why);
    retryLater();
  }

  private void forget() {
    lock = null;
    lockMember = null;
    epoch = 0;
  }

  private void retryLater() {
    if (!stopped) {
      vertx.setTimer(settings.retryMs(), t -> contend());
    }
  }

  private void release(Lock l) {
    try {
      l.release();
    } catch (RuntimeException e) {
      LOG.debug("releasing the {} lock failed (the cluster is stopping?)", settings.role(), e);
    }
  }

  /** Stops contending; releases the lock if {@link #check()} confirms this replica still holds it. */
  public Future<Void> stop() {
    stopped = true;
    if (!leading()) {
      return Future.succeededFuture();
    }
    return check().timeout(STOP_CHECK_MS, TimeUnit.MILLISECONDS).otherwise(false).map(still -> {
      if (still && lock != null) {
        Lock l = lock;
        forget();
        release(l);
        onLost.accept(Loss.STOPPED);
      }
      return null;
    });
  }
}
