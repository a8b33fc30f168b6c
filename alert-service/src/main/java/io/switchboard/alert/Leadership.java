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
 * stale leadership. Runs on the verticle's context.
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
          Future.<Long>succeededFuture().compose(x -> counter.incrementAndGet())
              .compose(e -> {
                epoch = e;
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
    return Future.<Long>succeededFuture().compose(x -> counter.get()).map(current -> {
      if (current != mine) {
        stepDown("epoch moved from " + mine + " to " + current + " (another replica was elected while this one was away)");
        return false;
      }
      return true;
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
