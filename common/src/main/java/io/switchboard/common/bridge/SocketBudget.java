package io.switchboard.common.bridge;

/**
 * One bridge socket's rate budget and slow-consumer clock: a one-second window of frames, the refusals in it, and
 * since when the socket's outbound queue has been full. Owned by the socket's context (docs/architecture.md,
 * Threading rule).
 */
public final class SocketBudget {
  /** What {@link #take} decided. */
  public enum Rate { ALLOW, REFUSE, CLOSE }

  private long windowStart = Long.MIN_VALUE;
  private int frames;
  private int refusals;
  private long fullSince = -1;

  /** Counts one frame at {@code nowMs}: refused above {@code perSecond}, and CLOSE once {@code closeAfter} were refused. */
  public Rate take(long nowMs, int perSecond, int closeAfter) {
    if (windowStart == Long.MIN_VALUE || nowMs - windowStart >= 1000) {
      windowStart = nowMs;
      frames = 0;
      refusals = 0;
    }
    if (++frames <= perSecond) {
      return Rate.ALLOW;
    }
    return ++refusals >= closeAfter ? Rate.CLOSE : Rate.REFUSE;
  }

  /**
   * Notes whether the outbound queue is full at {@code nowMs}; true when it has stayed full for {@code graceMs}
   * or longer, so the socket is to be cut.
   */
  public boolean queueFull(boolean full, long nowMs, long graceMs) {
    if (!full) {
      fullSince = -1;
      return false;
    }
    if (fullSince < 0) {
      fullSince = nowMs;
    }
    return nowMs - fullSince >= graceMs;
  }
}
