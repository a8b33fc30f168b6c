package io.switchboard.stats;

import io.switchboard.common.metrics.Histograms;
import io.switchboard.common.stats.NodeReport;
import io.switchboard.common.stats.Totals;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.HdrHistogram.Histogram;

/**
 * What one stats replica knows of one live node id: its newest report and enough older samples to compute the
 * window (the newest sample at least {@code window} older than the newest report, and everything after it).
 * Histograms are kept encoded (a few hundred bytes each) and decoded only to compute a window.
 */
final class NodeState {
  /** One report's cumulative values, keyed by the node's own clock. */
  record Sample(long timestamp, long seq, Totals totals, String latencyUs, String executionUs) {}

  /** What happened on this node within the window: counter differences and histogram differences (µs). */
  record Window(long spanMs, Totals delta, Histogram latencyUs, Histogram executionUs) {
    static Window empty() {
      return new Window(0, Totals.ZERO, Histograms.newHistogram(), Histograms.newHistogram());
    }
  }

  final String nodeId;
  NodeReport latest;
  long lastReceivedAt;
  boolean seenInMembers;
  private final Deque<Sample> history = new ArrayDeque<>();

  NodeState(String nodeId) {
    this.nodeId = nodeId;
  }

  /** Adds a newer report (the caller drops older or repeated seqs). */
  void add(NodeReport r, long receivedAt, long windowMs) {
    latest = r;
    lastReceivedAt = receivedAt;
    JsonObject hist = r.counters().getValue("histograms") instanceof JsonObject h ? h : new JsonObject();
    history.addLast(new Sample(r.timestamp(), r.seq(), Totals.fromCounters(r.counters()),
        hist.getValue("messageLatencyUs") instanceof String s ? s : null,
        hist.getValue("executionDurationUs") instanceof String s ? s : null));
    trim(windowMs);
  }

  boolean stale(long now, long staleMs) {
    return now - lastReceivedAt > staleMs;
  }

  private void trim(long windowMs) {
    long cutoff = latest.timestamp() - windowMs;
    // keep the newest sample at or before the cutoff (the baseline) and everything after it
    while (history.size() >= 2) {
      Iterator<Sample> it = history.iterator();
      it.next();
      Sample second = it.next();
      if (second.timestamp() <= cutoff) {
        history.removeFirst();
      } else {
        break;
      }
    }
  }

  /**
   * Differences between the newest report and the baseline: the newest sample at least {@code windowMs} older;
   * if there is none, zero when the node started within the window (everything it counted is in the window),
   * else the oldest sample held (a shorter span, right after a stats service started).
   */
  Window window(long windowMs) {
    if (latest == null) {
      return Window.empty();
    }
    Sample newest = history.peekLast();
    Sample oldest = history.peekFirst();
    long cutoff = newest.timestamp() - windowMs;
    Sample base;
    long span;
    if (oldest.timestamp() <= cutoff && oldest != newest) {
      base = oldest;
      span = newest.timestamp() - oldest.timestamp();
    } else if (latest.startedAt() >= cutoff) {
      base = null;
      span = Math.max(1, newest.timestamp() - latest.startedAt());
    } else if (oldest != newest) {
      base = oldest;
      span = newest.timestamp() - oldest.timestamp();
    } else {
      return Window.empty();
    }
    Totals delta = base == null ? newest.totals() : newest.totals().minus(base.totals());
    return new Window(span, delta, diff(newest.latencyUs(), base == null ? null : base.latencyUs()),
        diff(newest.executionUs(), base == null ? null : base.executionUs()));
  }

  private static Histogram diff(String newest, String base) {
    try {
      Histogram h = Histograms.decode(newest);
      if (base != null) {
        h.subtract(Histograms.decode(base));
      }
      return h;
    } catch (RuntimeException e) {
      // a corrupt or non-cumulative histogram costs this node's window percentiles, never the whole view
      return Histograms.newHistogram();
    }
  }
}
