package io.switchboard.bench.jmh;

import io.switchboard.common.metrics.Histograms;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stats path's histogram work: a node encodes its cumulative latency histogram (base64 of the compressed
 * HdrHistogram) every report, the stats service decodes each node's and merges them. Histograms hold
 * {@code values} samples of a realistic latency shape (microseconds, mostly 50 us – 5 ms, a long tail).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HistogramBench {
  @Param({"10000", "1000000"})
  int values;

  Histogram full;
  Histogram other;
  String encoded;
  Histogram target;

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(42);
    full = fill(Histograms.newHistogram(), r);
    other = fill(Histograms.newHistogram(), r);
    encoded = Histograms.encode(full);
    target = Histograms.newHistogram();
  }

  private Histogram fill(Histogram h, SplittableRandom r) {
    for (int i = 0; i < values; i++) {
      double u = r.nextDouble();
      long v = u < 0.99 ? 50 + (long) (Math.exp(r.nextDouble() * Math.log(100)) * 50) : 5_000 + r.nextLong(500_000);
      h.recordValue(v);
    }
    return h;
  }

  @Benchmark
  public String encode() {
    return Histograms.encode(full);
  }

  @Benchmark
  public Histogram decode() {
    return Histograms.decode(encoded);
  }

  @Benchmark
  public long merge() {
    target.reset();
    target.add(full);
    target.add(other);
    return target.getTotalCount();
  }

  /** What the stats service does per node report: decode, merge into the cluster histogram, read percentiles. */
  @Benchmark
  public long decodeMergePercentiles() {
    target.reset();
    target.add(Histograms.decode(encoded));
    target.add(other);
    return target.getValueAtPercentile(50) + target.getValueAtPercentile(99) + target.getMaxValue();
  }
}
