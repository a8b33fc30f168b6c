package io.switchboard.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus message-latency histogram is derived from the same HdrHistogram the stats service reads: its
 * scraped buckets must count exactly the recorded values at or below each bound, and its count must equal the
 * number of values recorded, while the stats snapshot keeps seeing every value too.
 */
class LatencyHistogramTest {
  private static final Pattern BUCKET = Pattern.compile(
      "switchboard_message_latency_seconds_bucket\\{node=\"n1\",le=\"([^\"]+)\"} (\\d+)");

  @Test
  void scrapedBucketsCountExactlyTheRecordedValuesAtOrBelowEachBound() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    NodeCounters counters = new NodeCounters(registry, "n1");
    Random rnd = new Random(7);
    long[] micros = new long[20_000];
    for (int i = 0; i < micros.length; i++) {
      // log-uniform between 2 µs and ~20 s, kept clear of the bounds' 0.1 % neighbourhoods
      micros[i] = Math.max(2, (long) Math.exp(rnd.nextDouble() * Math.log(20_000_000)));
      counters.recordMessageLatencyNanos(micros[i] * 1000 + 500);
    }
    String text = registry.scrape();
    Map<Double, Long> buckets = new LinkedHashMap<>();
    Matcher m = BUCKET.matcher(text);
    while (m.find()) {
      buckets.put(m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
          Long.parseLong(m.group(2)));
    }
    assertThat(buckets).hasSize(HdrHistogramCollector.BOUNDS_SECONDS.length);
    for (Map.Entry<Double, Long> b : buckets.entrySet()) {
      double boundMicros = b.getKey() * 1e6;
      long expected = 0;
      long nearBound = 0;
      for (long v : micros) {
        if (v <= boundMicros) {
          expected++;
        }
        if (Math.abs(v - boundMicros) <= boundMicros * 0.001 + 1) {
          nearBound++;
        }
      }
      // HdrHistogram keeps 3 significant digits: only values within 0.1 % of a bound may fall on its other side
      assertThat(b.getValue()).as("bucket le=%s", b.getKey()).isBetween(expected - nearBound, expected + nearBound);
    }
    assertThat(buckets.get(Double.POSITIVE_INFINITY)).isEqualTo(micros.length);
    assertThat(text).contains("switchboard_message_latency_seconds_count{node=\"n1\"} " + micros.length);

    // the stats side still sees every value: the snapshot's histogram and the scrape share one recording
    Histogram stats = Histograms.decode(counters.snapshot().getJsonObject("histograms").getString("messageLatencyUs"));
    assertThat(stats.getTotalCount()).isEqualTo(micros.length);
    counters.recordMessageLatencyNanos(1_000_000);
    assertThat(registry.scrape()).contains("switchboard_message_latency_seconds_count{node=\"n1\"} " + (micros.length + 1));
  }

  @Test
  void executionDurationAndHeartbeatRttAreRecordedOnceAndScrapedFromTheSameHistogram() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    NodeCounters counters = new NodeCounters(registry, "n1");
    counters.executionStarted();
    counters.executionEnded("completed", 200_000);
    counters.executionStarted();
    counters.executionEnded("failed", 90_000_000);
    counters.recordHeartbeatRttNanos(300_000);
    String text = registry.scrape();
    assertThat(text).contains("switchboard_tool_execution_duration_seconds_count{node=\"n1\"} 2")
        .contains("switchboard_tool_execution_duration_seconds_bucket{node=\"n1\",le=\"0.25\"} 1")
        .contains("switchboard_tool_execution_duration_seconds_bucket{node=\"n1\",le=\"100.0\"} 2")
        .contains("switchboard_heartbeat_rtt_seconds_count{node=\"n1\"} 1")
        .contains("switchboard_heartbeat_rtt_seconds_bucket{node=\"n1\",le=\"5.0E-4\"} 1");
    // one series each: no second Micrometer timer of the same name
    assertThat(text.lines().filter(l -> l.startsWith("# TYPE switchboard_tool_execution_duration_seconds ")).count()).isEqualTo(1);
    assertThat(text.lines().filter(l -> l.startsWith("# TYPE switchboard_heartbeat_rtt_seconds ")).count()).isEqualTo(1);
    JsonObject h = counters.snapshot().getJsonObject("histograms");
    assertThat(Histograms.decode(h.getString("executionDurationUs")).getTotalCount()).isEqualTo(2);
    assertThat(Histograms.decode(h.getString("heartbeatRttUs")).getTotalCount()).isEqualTo(1);
  }
}
