package io.switchboard.alert;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election among alert-service replicas: a cluster-wide Vert.x lock, held for as long as this replica
 * leads (Hazelcast frees it when the holder leaves or is removed from the cluster), plus an epoch counter
 * incremented on each acquisition. The leader checks {@link #check()} before acting: if the epoch moved on, another
 * replica was elected meanwhile (this one was paused or cut off), and this one steps down instead of acting on
 * stale leadership; a lower epoch than its own is put back instead (elections only count up). Runs on the verticle's
 * context.
 *
 * <p>The epoch lives in a Hazelcast map entry (Vert.x's clustered counter). A split that loses both copies of that
 * entry's partition loses the entry: Vert.x's counter then fails on every increment and reads null. This class
 * notices, recreates the counter and lifts it to the highest epoch this replica has seen before counting on, so
 * epochs never go backwards from where this replica stood and a lost entry never blocks an election for good.
 */
final class Leadership {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
  static final String LOCK = "switchboard.alert.leader";
  static final String EPOCH = "switchboard.alert.epoch";

  private final Vertx vertx;
  private final long acquireTimeoutMs;
  private final long retryMs;
  private final LongFunction<Future<Void>> onElected;
  private final Runnable onLost;
  private Counter counter;
  private Lock lock;
  private long epoch;
  /** The highest epoch this replica has seen (its own, or read from the cluster): the floor for a recreated counter. */
  private long highestSeen;
  private boolean stopped;

  /**
   * @param onElected called with the new epoch; leadership is kept if it succeeds, given up if it fails
   * @param onLost called when leadership ends (stepped down or stopped)
   */
  Leadership(Vertx vertx, long acquireTimeoutMs, long retryMs, LongFunction<Future<Void>> onElected, Runnable onLost) {
    this.vertx = vertx;
    this.acquireTimeoutMs = acquireTimeoutMs;
    this.retryMs = retryMs;
    this.onElected = onElected;
    this.onLost = onLost;
  }

  Future<Void> start() {
    return vertx.sharedData().getCounter(EPOCH).map(c -> {
      counter = c;
      contend();
      return null;
    });
  }

  boolean leading() {
    return lock != null && epoch > 0;
  }

  long epoch() {
    return epoch;
  }

  private void contend() {
    if (stopped || lock != null) {
      return;
    }
    vertx.sharedData().getLockWithTimeout(LOCK, acquireTimeoutMs)
        .onSuccess(l -> {
          if (stopped) {
            l.release();
            return;
          }
          lock = l;
          nextEpoch()
              .compose(e -> {
                epoch = e;
                highestSeen = Math.max(highestSeen, e);
                LOG.info("alert leadership acquired (epoch {})", e);
                return onElected.apply(e);
              })
              .onFailure(err -> {
                LOG.debug("alert take-over failed", err);
                stepDown("taking over failed: " + err);
              });
        })
        .onFailure(err -> {
          if (!stopped) {
            // a standby learns the current epoch too, so it can restore the counter should its entry be lost
            Future.<Long>succeededFuture().compose(x -> counter.get())
                .onSuccess(v -> highestSeen = Math.max(highestSeen, v == null ? 0 : v));
            vertx.setTimer(retryMs, t -> contend());
          }
        });
  }

  /** Whether this replica still leads: it holds the lock and the cluster's epoch is still its own. */
  Future<Boolean> check() {
    if (!leading()) {
      return Future.succeededFuture(false);
    }
    long mine = epoch;
    return currentEpoch().compose(current -> {
      highestSeen = Math.max(highestSeen, current);
      if (current > mine) {
        stepDown("epoch moved from " + mine + " to " + current + " (another replica was elected while this one was away)");
        return Future.succeededFuture(false);
      }
      if (current < mine) {
        // elections only count up: a lower value is a counter recreated after a split, not a newer leader. Put ours
        // back; a leader elected on the recreated counter holds a lower epoch and steps down when it next checks.
        LOG.warn("the alert epoch counter went back from {} to {}; restoring it", mine, current);
        return counter.compareAndSet(current, mine).compose(ok -> ok ? Future.succeededFuture(true) : check());
      }
      return Future.succeededFuture(true);
    });
  }

  /** The next epoch: the counter incremented; recreated first (at no less than {@link #highestSeen}) if its entry was lost. */
  private Future<Long> nextEpoch() {
    return Future.<Long>succeededFuture().compose(x -> counter.incrementAndGet())
        .recover(err -> recreate("incrementing it failed: " + err).compose(c -> c.incrementAndGet()))
        .compose(e -> {
          if (e > highestSeen) {
            return Future.succeededFuture(e);
          }
          // the counter came back lower than an epoch already used (a recreated entry merged over ours): skip past it
          long next = highestSeen + 1;
          LOG.warn("the alert epoch counter read {} after epoch {} was used; moving it to {}", e, highestSeen, next);
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
    LOG.warn("the alert epoch counter was lost with its cluster partition ({}); recreating it at no less than {}", why, floor);
    return vertx.sharedData().getCounter(EPOCH).compose(c -> {
      counter = c;
      return c.get().compose(v -> {
        long now = v == null ? 0 : v;
        return now >= floor ? Future.succeededFuture(c) : c.compareAndSet(now, floor).map(ok -> c);
      });
    });
  }

  /** Gives up leadership (releases the lock) and contends again after the retry delay. */
  void stepDown(String reason) {
    if (lock == null) {
      return;
    }
    LOG.warn("alert leadership given up (epoch {}): {}", epoch, reason);
    release();
    onLost.run();
    if (!stopped) {
      vertx.setTimer(retryMs, t -> contend());
    }
  }

  private void release() {
    Lock l = lock;
    lock = null;
    epoch = 0;
    if (l != null) {
      try {
        l.release();
      } catch (RuntimeException e) {
        LOG.debug("releasing the alert leader lock failed (already freed by the cluster?)", e);
      }
    }
  }

  void stop() {
    stopped = true;
    boolean was = lock != null;
    release();
    if (was) {
      onLost.run();
    }
  }
}
