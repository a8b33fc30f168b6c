package io.switchboard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.metrics.Histograms;
import io.switchboard.common.stats.ClusterStats.Percentiles;
import io.switchboard.common.stats.ClusterStats;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * Percentiles of the cluster are exact merges of the nodes' histograms: built from known raw samples on three
 * nodes with different distributions, they match the raw percentiles of all samples within HdrHistogram's
 * precision (3 significant digits) — unlike an average of per-node percentiles.
 */
class PercentileMergeTest {
  static final long T0 = ClusterViewTest.T0;
  static final StatsSettings SETTINGS = new StatsSettings(1_000, 10_000, 3, 300_000);

  /** Raw percentile, HdrHistogram's definition: the smallest sample with at least p % of samples at or below it. */
  static long rawPercentile(long[] sorted, double p) {
    long count = Math.max(1, (long) Math.ceil(p / 100.0 * sorted.length));
    return sorted[(int) count - 1];
  }

  static void assertMatches(double reportedMs, long rawMicros) {
    Histogram precision = Histograms.newHistogram();
    long reported = Math.round(reportedMs * 1000);
    // the reported value is the highest value equivalent to the raw sample at 3 significant digits
    assertThat(precision.lowestEquivalentValue(reported)).as("reported %s µs vs raw %s µs", reported, rawMicros)
        .isLessThanOrEqualTo(rawMicros);
    assertThat(reported).as("reported %s µs vs raw %s µs", reported, rawMicros)
        .isGreaterThanOrEqualTo(rawMicros).isLessThanOrEqualTo(precision.highestEquivalentValue(rawMicros));
  }

  @Test
  void mergedClusterPercentilesMatchTheRawSamples() {
    Random rnd = new Random(7);
    ClusterView v = new ClusterView(SETTINGS);
    List<Long> raw = new ArrayList<>();
    SimNode fast = new SimNode("fast", T0);
    SimNode slow = new SimNode("slow", T0);
    SimNode spiky = new SimNode("spiky", T0);
    for (int i = 0; i < 20_000; i++) {
      long us = 50 + (long) (Math.abs(rnd.nextGaussian()) * 400); // ~0.05–2 ms
      fast.messages(1, us);
      raw.add(us);
    }
    for (int i = 0; i < 3_000; i++) {
      long us = 5_000 + rnd.nextInt(45_000); // 5–50 ms uniform
      slow.messages(1, us);
      raw.add(us);
    }
    for (int i = 0; i < 500; i++) {
      long us = (long) Math.exp(8 + rnd.nextDouble() * 6); // 3 ms – 1.2 s, log-uniform
      spiky.messages(1, us);
      raw.add(us);
    }
    for (SimNode n : List.of(fast, slow, spiky)) {
      v.accept(n.report(T0 + 5_000), T0 + 5_000);
    }
    long[] sorted = raw.stream().mapToLong(Long::longValue).sorted().toArray();
    ClusterStats s = v.stats(T0 + 5_000);
    assertMatches(s.latency().p50(), rawPercentile(sorted, 50));
    assertMatches(s.latency().p95(), rawPercentile(sorted, 95));
    assertMatches(s.latency().p99(), rawPercentile(sorted, 99));
    assertMatches(s.latency().max(), sorted[sorted.length - 1]);
    double rawMean = Arrays.stream(sorted).average().orElseThrow();
    assertThat(s.averageLatency() * 1000).isCloseTo(rawMean, Percentage.withPercentage(0.1));

    // what averaging the nodes' own p99s would have said is far off: the merge is not an average
    double avgOfP99 = List.of(fast, slow, spiky).stream()
        .mapToDouble(n -> v.nodeJson(n.nodeId, T0 + 5_000).orElseThrow().getJsonObject("window").getJsonObject("latency").getDouble("p99"))
        .average().orElseThrow();
    assertThat(Math.abs(avgOfP99 - s.latency().p99())).isGreaterThan(s.latency().p99() * 0.2);
  }

  @Test
  void windowPercentilesCoverOnlyTheWindowsSamples() {
    Random rnd = new Random(11);
    ClusterView v = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0 - 3_600_000);
    SimNode b = new SimNode("b", T0 - 3_600_000);
    a.messages(5_000, 300_000); // the past: 300 ms
    b.messages(5_000, 400_000);
    v.accept(a.report(T0), T0);
    v.accept(b.report(T0), T0);
    List<Long> window = new ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      long us = 100 + rnd.nextInt(20_000);
      (i % 2 == 0 ? a : b).messages(1, us);
      window.add(us);
    }
    v.accept(a.report(T0 + 10_000), T0 + 10_000);
    v.accept(b.report(T0 + 10_000), T0 + 10_000);
    long[] sorted = window.stream().mapToLong(Long::longValue).sorted().toArray();
    ClusterStats s = v.stats(T0 + 10_000);
    assertMatches(s.latency().p50(), rawPercentile(sorted, 50));
    assertMatches(s.latency().p99(), rawPercentile(sorted, 99));
    assertMatches(s.latency().max(), sorted[sorted.length - 1]);

    // and the cluster figures are exactly the merge of the per-node window histograms /stats/nodes returns
    JsonObject nodes = v.nodesJson(T0 + 10_000);
    Histogram merged = Histograms.newHistogram();
    nodes.getJsonArray("nodes").forEach(o -> merged.add(
        Histograms.decode(((JsonObject) o).getJsonObject("windowHistograms").getString("messageLatencyUs"))));
    assertThat(ClusterView.percentiles(merged)).isEqualTo(s.latency());
    assertThat(merged.getTotalCount()).isEqualTo(4_000);
  }

  @Test
  void emptyWindowHasZeroPercentiles() {
    assertThat(ClusterView.percentiles(Histograms.newHistogram())).isEqualTo(Percentiles.ZERO);
  }
}
