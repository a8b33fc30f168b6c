package io.switchboard.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.threadchecker.BlockedThreadChecker;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How healthy the event loops of a node's Vert.x are (docs/operations.md, Runtime metrics):
 * <ul>
 *   <li>{@code switchboard_eventloop_delay_seconds{loop}}: a task on each event loop asks to run again after the
 *   interval, and records how much later than asked it ran; a loop busy with one long task, or with more work than it
 *   can do, shows here first;</li>
 *   <li>{@code switchboard_blocked_thread_warnings_total{pool}}: the warnings of Vert.x's blocked-thread checker (a
 *   task held an event loop longer than {@code vertx.maxEventLoopExecuteTime}, or a worker longer than Vert.x's
 *   worker limit), counted per Vert.x instance through its checker's handler; each is still logged as Vert.x logs
 *   it, on its logger {@value BlockedThreadChecker#LOGGER_NAME}.</li>
 * </ul>
 * The delay task runs on the Netty event loop itself, so it holds no Vert.x context and no state but its own timer.
 */
public final class EventLoopMetrics {
  private static final Logger BLOCKED_LOG = LoggerFactory.getLogger(BlockedThreadChecker.LOGGER_NAME);

  private final long intervalNanos;
  private volatile boolean closed;

  private EventLoopMetrics(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /**
   * Starts measuring {@code vertx}'s event loops every {@code intervalMs} (0: no delay measurement) and counting its
   * blocked-thread warnings into {@code registry}.
   */
  public static EventLoopMetrics start(Vertx vertx, MeterRegistry registry, long intervalMs) {
    EventLoopMetrics m = new EventLoopMetrics(TimeUnit.MILLISECONDS.toNanos(intervalMs));
    VertxInternal internal = (VertxInternal) vertx;
    m.countBlockedThreads(internal.blockedThreadChecker(), registry);
    if (intervalMs > 0) {
      int index = 0;
      for (EventExecutor loop : loops(internal.nettyEventLoopGroup())) {
        Timer delay = Timer.builder("switchboard.eventloop.delay")
            .description("How much later than asked a task on this event loop ran (sampled every metrics.eventLoopDelayInterval)")
            .tag("loop", String.valueOf(index++))
            .register(registry);
        m.schedule(loop, delay);
      }
    }
    return m;
  }

  /** Stops the delay measurement (the blocked-thread count ends with its Vert.x). */
  public void close() {
    closed = true;
  }

  private static List<EventExecutor> loops(EventLoopGroup group) {
    List<EventExecutor> out = new ArrayList<>();
    group.forEach(out::add);
    return out;
  }

  private void schedule(EventExecutor loop, Timer delay) {
    if (closed || loop.isShuttingDown()) {
      return;
    }
    long due = System.nanoTime() + intervalNanos;
    try {
      loop.schedule(() -> {
        delay.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
        schedule(loop, delay);
      }, intervalNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the loop is shutting down with its Vert.x
    }
  }

  private void countBlockedThreads(BlockedThreadChecker checker, MeterRegistry registry) {
    Counter eventLoop = blockedCounter(registry, "eventloop");
    Counter worker = blockedCounter(registry, "worker");
    Counter other = blockedCounter(registry, "other");
    checker.setThreadBlockedHandler(event -> {
      String name = event.thread().getName();
      (name.startsWith("vert.x-eventloop-thread") ? eventLoop : name.startsWith("vert.x-worker-thread") ? worker : other)
          .increment();
      log(event);
    });
  }

  private static Counter blockedCounter(MeterRegistry registry, String pool) {
    return Counter.builder("switchboard.blocked.thread.warnings")
        .description("Warnings of Vert.x's blocked-thread checker: a task held a thread longer than its limit")
        .tag("pool", pool)
        .register(registry);
  }

  /** The warning as Vert.x writes it: with the blocked thread's stack once it is blocked past the warning time. */
  private static void log(BlockedThreadEvent event) {
    String message = "Thread " + event.thread().getName() + " has been blocked for " + event.duration() / 1_000_000
        + " ms, time limit is " + event.maxExecTime() / 1_000_000 + " ms";
    if (event.duration() <= event.warningExceptionTime()) {
      BLOCKED_LOG.warn(message);
    } else {
      VertxException stack = new VertxException("Thread blocked");
      stack.setStackTrace(event.thread().getStackTrace());
      BLOCKED_LOG.warn(message, stack);
    }
  }
}
