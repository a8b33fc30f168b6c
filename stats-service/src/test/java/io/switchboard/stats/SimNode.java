package io.switchboard.stats;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.common.metrics.NodeCounters;
import io.switchboard.common.stats.NodeReport;
import java.util.List;
import java.util.UUID;

/**
 * A node process for the pure tests: a real {@link NodeCounters} (what the hub writes) and reports built from
 * its snapshot exactly as NodeReporter builds them, on a clock the test controls.
 */
final class SimNode {
  final String nodeId = UUID.randomUUID().toString();
  final String memberId = UUID.randomUUID().toString();
  final String name;
  final long startedAt;
  final List<String> roles;
  final NodeCounters counters = new NodeCounters(new SimpleMeterRegistry());
  private long seq;

  SimNode(String name, long startedAt) {
    this(name, startedAt, List.of("hub"));
  }

  SimNode(String name, long startedAt, List<String> roles) {
    this.name = name;
    this.startedAt = startedAt;
    this.roles = roles;
  }

  NodeReport report(long timestamp) {
    return report(timestamp, false);
  }

  NodeReport report(long timestamp, boolean stopping) {
    return new NodeReport(nodeId, memberId, name, roles, "test", startedAt, timestamp, ++seq, stopping,
        counters.snapshot(), new NodeReport.Memory(100_000_000L, 50_000_000L, 80_000_000L, 200_000_000L), 0.05, 10_000);
  }

  /** n inbound messages, each handled in {@code latencyMicros}. */
  SimNode messages(int n, long latencyMicros) {
    for (int i = 0; i < n; i++) {
      counters.frameReceived();
      counters.messageIn();
      counters.messageOut();
      counters.recordMessageLatencyNanos(latencyMicros * 1000);
    }
    return this;
  }

  SimNode errors(int n, String code) {
    for (int i = 0; i < n; i++) {
      counters.frameReceived();
      counters.error(code);
    }
    return this;
  }

  SimNode connections(int opened, String role) {
    for (int i = 0; i < opened; i++) {
      counters.connectionOpened(role);
    }
    return this;
  }

  SimNode executions(int completed, int failed, long durationMicros) {
    for (int i = 0; i < completed + failed; i++) {
      counters.executionStarted();
      counters.executionEnded(i < completed ? "completed" : "failed", durationMicros);
    }
    return this;
  }
}
