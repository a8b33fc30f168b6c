package io.switchboard.common.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A cumulative HdrHistogram of microseconds exposed to Prometheus as a classic histogram in seconds, built at
 * scrape time. The hot path records each value once, into the HdrHistogram that also feeds the stats service,
 * instead of a second time into a Micrometer timer (bench/RESULTS.md, "Profile and fixes"). Bucket counts are
 * exact to HdrHistogram's precision (3 significant digits: a value within 0.1 % of a bound may land in the next
 * bucket); {@code _sum} is count × mean, to the same precision.
 */
public final class HdrHistogramCollector implements Collector {
  /** Upper bounds in seconds: 10 µs to 10 s, 1-2.5-5 steps (plus +Inf). */
  public static final double[] BOUNDS_SECONDS = {
      0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1, 2.5, 5, 10, Double.POSITIVE_INFINITY};

  /** Upper bounds in seconds for tool executions: 1 ms to 10 min (plus +Inf). */
  public static final double[] EXECUTION_BOUNDS_SECONDS = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 600,
      Double.POSITIVE_INFINITY};

  private final String name;
  private final String help;
  private final Labels labels;
  private final Supplier<Histogram> source;
  private final double[] bounds;

  /**
   * @param name Prometheus base name including the unit, e.g. {@code switchboard_message_latency_seconds}
   * @param source a consistent copy of the cumulative histogram (values in microseconds)
   */
  public HdrHistogramCollector(String name, String help, Labels labels, Supplier<Histogram> source) {
    this(name, help, labels, source, BOUNDS_SECONDS);
  }

  /** @param bounds bucket upper bounds in seconds, ascending, the last {@code +Inf} */
  public HdrHistogramCollector(String name, String help, Labels labels, Supplier<Histogram> source, double[] bounds) {
    this.name = name;
    this.help = help;
    this.labels = labels;
    this.source = source;
    this.bounds = bounds.clone();
  }

  @Override
  public MetricSnapshot collect() {
    Histogram h = source.get();
    long[] counts = bucketCounts(h, bounds);
    double sumSeconds = h.getTotalCount() == 0 ? 0 : h.getMean() * h.getTotalCount() / 1e6;
    return HistogramSnapshot.builder()
        .name(name)
        .help(help)
        .unit(Unit.SECONDS)
        .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .labels(labels)
            .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
            .sum(sumSeconds)
            .build())
        .build();
  }

  /** Per-bucket (not cumulative) counts for {@link #BOUNDS_SECONDS}; a value counts in the first bound ≥ it. */
  static long[] bucketCounts(Histogram h) {
    return bucketCounts(h, BOUNDS_SECONDS);
  }

  /** Per-bucket (not cumulative) counts for {@code bounds}; a value counts in the first bound ≥ it. */
  static long[] bucketCounts(Histogram h, double[] bounds) {
    long[] counts = new long[bounds.length];
    for (HistogramIterationValue v : h.recordedValues()) {
      double seconds = v.getValueIteratedTo() / 1e6;
      int i = 0;
      while (seconds > bounds[i]) {
        i++;
      }
      counts[i] += v.getCountAtValueIteratedTo();
    }
    return counts;
  }

  @Override
  public String getPrometheusName() {
    return name;
  }
}
