package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Arrivals of published views at many subscribers, keyed by the view's own {@code timestamp} (the publisher's
 * clock, the same machine): how many subscribers had each, and when the first and the last got it. Any thread
 * may record an arrival.
 */
final class FanoutTally {
  /** One view's arrivals: count, first and last arrival (ns), last arrival (epoch ms). */
  private record Arrivals(AtomicInteger count, AtomicLong firstNanos, AtomicLong lastNanos, AtomicLong lastMillis) {}

  private final Map<Long, Arrivals> byView = new ConcurrentHashMap<>();

  void arrived(long viewTimestamp, long nanos, long millis) {
    Arrivals a = byView.computeIfAbsent(viewTimestamp,
        t -> new Arrivals(new AtomicInteger(), new AtomicLong(Long.MAX_VALUE), new AtomicLong(), new AtomicLong()));
    a.count().incrementAndGet();
    a.firstNanos().accumulateAndGet(nanos, Math::min);
    a.lastNanos().accumulateAndGet(nanos, Math::max);
    a.lastMillis().accumulateAndGet(millis, Math::max);
  }

  void clear() {
    byView.clear();
  }

  /** Waits until {@code publishes} views published after {@code startMs} reached {@code subscribers}, or the deadline. */
  void await(long startMs, int subscribers, int publishes, long deadlineNanos) throws InterruptedException {
    while (System.nanoTime() < deadlineNanos && byView.entrySet().stream()
        .filter(e -> e.getKey() > startMs && e.getValue().count().get() >= subscribers).count() < publishes) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** Prints one line per view published after {@code startMs} and returns the same as JSON with the median and max. */
  JsonObject report(long startMs, int publishes, PrintStream out) {
    out.println("view timestamp | reached | publish to last (ms) | first to last arrival (ms)");
    List<Long> toLast = new ArrayList<>();
    JsonArray views = new JsonArray();
    byView.entrySet().stream().filter(e -> e.getKey() > startMs).sorted(Map.Entry.comparingByKey()).limit(publishes)
        .forEach(e -> {
          Arrivals a = e.getValue();
          long ms = a.lastMillis().get() - e.getKey();
          double spread = (a.lastNanos().get() - a.firstNanos().get()) / 1e6;
          toLast.add(ms);
          views.add(new JsonObject().put("timestamp", e.getKey()).put("reached", a.count().get())
              .put("publishToLastMs", ms).put("firstToLastMs", spread));
          out.printf("%d | %d | %d | %.1f%n", e.getKey(), a.count().get(), ms, spread);
        });
    toLast.sort(Long::compare);
    JsonObject r = new JsonObject().put("views", views);
    if (!toLast.isEmpty()) {
      r.put("publishToLastMedianMs", toLast.get(toLast.size() / 2)).put("publishToLastMaxMs", toLast.get(toLast.size() - 1));
      out.printf("publish to last subscriber: median %d ms, max %d ms over %d publishes%n",
          toLast.get(toLast.size() / 2), toLast.get(toLast.size() - 1), toLast.size());
    }
    return r;
  }
}
