package io.switchboard.hub.session;

/**
 * A session's message rate limit: a token bucket of {@code rate} tokens refilled at {@code rate} per second (so a
 * burst of one second's worth passes), and a count of refusals within the current second: once it reaches
 * {@code closeAfter} the limiter says CLOSE. Time is passed in (nanoseconds), so the class is pure. Not thread-safe:
 * one session, one event loop.
 */
public final class RateLimiter {
  public enum Decision { ALLOW, REFUSE, CLOSE }

  private static final long SECOND = 1_000_000_000L;

  private final long rate;
  private final long closeAfter;
  /** Tokens in units of 1/SECOND token, so refill stays integral. */
  private long credit;
  private long last;
  private long refusedWindowStart;
  private long refused;

  public RateLimiter(int ratePerSecond, int closeAfter, long nowNanos) {
    this.rate = ratePerSecond;
    this.closeAfter = closeAfter;
    this.credit = rate * SECOND;
    this.last = nowNanos;
    this.refusedWindowStart = nowNanos;
  }

  public Decision acquire(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      long max = rate * SECOND;
      // elapsed * rate can overflow only after ~292 years / rate; cap elapsed at one second first.
      credit = Math.min(max, credit + Math.min(elapsed, SECOND) * rate);
      last = nowNanos;
    }
    if (credit >= SECOND) {
      credit -= SECOND;
      return Decision.ALLOW;
    }
    if (nowNanos - refusedWindowStart >= SECOND) {
      refusedWindowStart = nowNanos;
      refused = 0;
    }
    refused++;
    return refused >= closeAfter ? Decision.CLOSE : Decision.REFUSE;
  }
}
