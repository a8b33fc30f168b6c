package io.switchboard.common.testing;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way tests wait: for a future's result, or for a condition, polled until it holds or a deadline passes.
 * Never a fixed sleep: a busy machine only makes the wait longer, up to the deadline.
 */
public final class Await {
  private Await() {}

  /** The default deadline for a condition. */
  public static final Duration WAIT = Duration.ofSeconds(15);
  /** The default deadline for a future (a node or cluster start among them, slow on a busy machine). */
  public static final Duration FUTURE_WAIT = Duration.ofSeconds(60);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /**
   * The future's result, within {@link #FUTURE_WAIT}; its failure (or the time-out) as an IllegalStateException, so
   * a clean-up step may catch it as it catches any other failure of the thing it stops.
   */
  public static <T> T await(Future<T> f) {
    return await(f, FUTURE_WAIT);
  }

  public static <T> T await(Future<T> f, Duration timeout) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
    }
  }

  /** Polls until {@code condition} holds; fails with {@code message} after {@code timeout}. */
  public static void waitFor(Duration timeout, BooleanSupplier condition, String message) {
    waitFor(timeout, condition, () -> message);
  }

  /** The same, with a message made at the time of failure (it may show the state then). */
  public static void waitFor(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
    if (!within(timeout, Duration.ofNanos(POLL_NANOS), condition)) {
      throw new AssertionError("not within " + timeout.toMillis() + " ms: " + message.get());
    }
  }

  /**
   * Polls {@code condition} every {@code every} until it holds (true) or {@code timeout} passes (false, after one
   * last look). For a caller that reports the outcome itself, or whose condition is costly to ask often.
   */
  public static boolean within(Duration timeout, Duration every, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return condition.getAsBoolean();
      }
      LockSupport.parkNanos(Math.min(left, every.toNanos()));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting");
      }
    }
    return true;
  }

  /** {@link #waitFor(Duration, BooleanSupplier, Supplier)} with the deadline in milliseconds. */
  public static void eventually(long timeoutMs, BooleanSupplier condition, Supplier<String> message) {
    waitFor(Duration.ofMillis(timeoutMs), condition, message);
  }

  /** Runs {@code check} until it passes (throws nothing) within {@link #WAIT}; else its last failure is thrown. */
  public static void eventually(Runnable check) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
        LockSupport.parkNanos(POLL_NANOS);
      }
    }
  }
}
