package io.switchboard.hub.session;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node-wide memory accountant for replay windows and open transactions (hub.memory.budget). One instance per
 * node; every method is thread-safe.
 *
 * <ul>
 *   <li><b>Replay bytes</b> are what the node's {@link ReplayWindow}s hold (their arrays' capacity). A window
 *       reserves before it allocates or grows and is refused when replay plus transaction bytes would pass the
 *       budget; it then keeps less (its oldest frames go first). Replay bytes are evictable.</li>
 *   <li><b>Transaction bytes</b>: a fixed {@link #TX_COST_BYTES} per open transaction on either side, reserved at
 *       its start, released at its end. Not evictable: {@link #startTransaction()} refuses only when open
 *       transactions alone would pass the budget, since evicting every replay frame could not make room.</li>
 *   <li><b>Pressure</b>: {@link #adjust(long)}, called by one periodic sweep (the only writer of the horizon), sets
 *       a node-wide age cutoff while usage is above {@link #HIGH_WATER} of the budget: frames older than it leave
 *       every window (on each window's own event loop), so the oldest replay data goes first, across windows. Each
 *       tick above the high-water mark the horizon halves, and is at most half the age of the oldest frame the last
 *       shed pass saw ({@link #noteOldest}), so it reaches the data actually held within a tick or two; each tick
 *       below {@link #LOW_WATER} it doubles, back to none. Windows read the cutoff (one volatile read per add).</li>
 * </ul>
 * Time is passed in, so the policy is unit-testable.
 */
public final class MemoryBudget {
  /** What one open transaction is charged: its records, map entries, ids and an empty window's fixed part. */
  public static final long TX_COST_BYTES = 1024;
  /** Above this share of the budget, the sweep tightens the age cutoff and sheds old frames from every window. */
  public static final double HIGH_WATER = 0.9;
  /** Below this share, the age cutoff relaxes. */
  public static final double LOW_WATER = 0.7;
  /** No cutoff. */
  static final long NONE = Long.MAX_VALUE;

  private final long limit;
  private final long maxAgeMs;
  private final AtomicLong replayBytes = new AtomicLong();
  private final AtomicLong txBytes = new AtomicLong();
  private final LongAdder evictedBytes = new LongAdder();
  private final LongAdder refusedTransactions = new LongAdder();
  /** The oldest frame time the windows reported during the last shed pass (epoch ms); MAX_VALUE: none. */
  private final AtomicLong oldestSeen = new AtomicLong(Long.MAX_VALUE);
  /** Frames older than this (epoch ms) leave every window; 0: no cutoff. Written by {@link #adjust} only. */
  private volatile long evictBeforeMs;
  /** Age horizon under pressure, ms; {@link #NONE} without. Touched by {@link #adjust} only (one sweep). */
  private long horizonMs = NONE;

  /**
   * @param limitBytes the budget
   * @param maxAgeMs hub.replay.maxAge: where the age horizon starts (halved) when pressure begins
   */
  public MemoryBudget(long limitBytes, long maxAgeMs) {
    this.limit = limitBytes;
    this.maxAgeMs = Math.max(1, maxAgeMs);
  }

  /** No limit (windows built without a node, e.g. in unit tests). */
  public static MemoryBudget unlimited() {
    return new MemoryBudget(Long.MAX_VALUE, 300_000);
  }

  public long limit() {
    return limit;
  }

  /** Reserves replay bytes; false, with nothing reserved, when the node total would pass the budget. */
  public boolean reserveReplay(long bytes) {
    if (bytes <= 0) {
      return true;
    }
    long after = replayBytes.addAndGet(bytes);
    if (after + txBytes.get() <= limit || limit == Long.MAX_VALUE) {
      return true;
    }
    replayBytes.addAndGet(-bytes);
    return false;
  }

  public void releaseReplay(long bytes) {
    if (bytes > 0) {
      replayBytes.addAndGet(-bytes);
    }
  }

  /** Frame text dropped to stay within the budget (not the windows' ordinary turnover). */
  public void evicted(long bytes) {
    if (bytes > 0) {
      evictedBytes.add(bytes);
    }
  }

  /** Reserves one transaction's cost; false (counted) when open transactions alone would pass the budget. */
  public boolean startTransaction() {
    long after = txBytes.addAndGet(TX_COST_BYTES);
    if (after <= limit) {
      return true;
    }
    txBytes.addAndGet(-TX_COST_BYTES);
    refusedTransactions.increment();
    return false;
  }

  public void endTransaction() {
    txBytes.addAndGet(-TX_COST_BYTES);
  }

  /** A shed pass: the oldest frame a window still holds (its event loop; any thread). */
  public void noteOldest(long frameTimeMs) {
    oldestSeen.accumulateAndGet(frameTimeMs, Math::min);
  }

  /** The age cutoff windows apply on each add (epoch ms; 0: none). */
  public long evictBeforeMs() {
    return evictBeforeMs;
  }

  /**
   * One sweep tick: moves the age horizon with the usage, publishes the cutoff, and returns it when the usage is
   * above the high-water mark (the caller then sheds every window to it), else 0. Called from one thread at a time.
   */
  public long adjust(long nowMs) {
    long used = used();
    boolean high = used > limit * HIGH_WATER;
    long oldest = oldestSeen.getAndSet(Long.MAX_VALUE);
    if (high) {
      horizonMs = horizonMs == NONE ? maxAgeMs / 2 : horizonMs / 2;
      if (oldest != Long.MAX_VALUE) {
        horizonMs = Math.min(horizonMs, Math.max(0, nowMs - oldest) / 2);
      }
    } else if (used < limit * LOW_WATER && horizonMs != NONE) {
      horizonMs = horizonMs >= maxAgeMs / 2 ? NONE : Math.max(1, horizonMs * 2);
    }
    evictBeforeMs = horizonMs == NONE ? 0 : nowMs - horizonMs;
    return high ? evictBeforeMs : 0;
  }

  public long used() {
    return replayBytes.get() + txBytes.get();
  }

  public long replayBytes() {
    return replayBytes.get();
  }

  public long transactionBytes() {
    return txBytes.get();
  }

  public long evictedBytes() {
    return evictedBytes.sum();
  }

  public long refusedTransactions() {
    return refusedTransactions.sum();
  }
}
