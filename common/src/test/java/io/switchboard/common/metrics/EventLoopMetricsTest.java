package io.switchboard.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Context;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Event-loop delay per loop and the blocked-thread warning count on /metrics: a test blocks an event-loop context of
 * its own node beyond the configured limit, and the count goes up.
 */
class EventLoopMetricsTest {
  private static final Pattern BLOCKED = Pattern.compile(
      "(?m)^switchboard_blocked_thread_warnings_total\\{[^}]*pool=\"eventloop\"[^}]*} ([0-9.]+)$");

  @Test
  void aBlockedEventLoopIsCountedAndShowsAsDelay() throws Exception {
    try (TestNodes.Cluster c = new TestNodes.Cluster()) {
      SwitchboardNode n = c.start("loops", List.of(), Map.of("cluster.mode", "none", "http.instances", 1,
          "vertx.blockedThreadCheckInterval", "50ms", "vertx.maxEventLoopExecuteTime", "200ms",
          "metrics.eventLoopDelayInterval", "20ms"));
      String metrics = scrape(n);
      int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE; // the node leaves Vert.x's pool size as it is
      for (int i = 0; i < loops; i++) {
        assertThat(metrics).contains("switchboard_eventloop_delay_seconds_count{loop=\"" + i + "\",node=\"loops\"}");
      }
      assertThat(metrics).contains("switchboard_eventloop_delay_seconds_max{loop=\"0\",node=\"loops\"}");
      double before = blocked(metrics);

      MeterRegistry registry = n.context().metrics().registry();
      // a context of the test's own on one of the node's event loops, held until the checker has warned about it
      Context own = n.vertx().getOrCreateContext();
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blocking = new CountDownLatch(1);
      long[] blockedAt = new long[1];
      own.runOnContext(v -> {
        blockedAt[0] = System.nanoTime();
        blocking.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
      try {
        // held until counted and for at least 300 ms, so that its delay task (due every 20 ms) runs >= 280 ms late;
        // on a busy machine another loop may be the one counted first
        Await.waitFor(Duration.ofSeconds(20), () -> registry.get("switchboard.blocked.thread.warnings")
            .tag("pool", "eventloop").counter().count() > before
            && System.nanoTime() - blockedAt[0] >= TimeUnit.MILLISECONDS.toNanos(300), "no blocked-thread warning counted");
      } finally {
        release.countDown();
      }
      // the blocked loop's delay task ran at least the limit late
      Await.waitFor(Duration.ofSeconds(10), () -> registry.get("switchboard.eventloop.delay").timers().stream()
          .mapToDouble(t -> t.max(TimeUnit.MILLISECONDS)).max().orElse(0) >= 200, "no loop delay of 200 ms or more");
      assertThat(blocked(scrape(n))).isGreaterThan(before);
      Timer any = registry.get("switchboard.eventloop.delay").tag("loop", "0").timer();
      assertThat(any.count()).isPositive();
    }
  }

  private static double blocked(String metrics) {
    Matcher m = BLOCKED.matcher(metrics);
    assertThat(m.find()).as("switchboard_blocked_thread_warnings_total{pool=eventloop} in\n" + metrics).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static String scrape(SwitchboardNode n) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + n.httpPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
