package io.switchboard.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** Counters and latency histogram of one worker; touched only on the worker's event loop. */
final class WorkerStats {
  /** Microseconds, up to an hour, 3 digits. */
  final Histogram latencyUs = new Histogram(3_600_000_000L, 3);
  long roundTrips;
  long sent;
  /** Monitor scenario: frames reporting a driver MESSAGE that arrived in the measured window (timed). */
  long monitorFrames;
  /** Monitor scenario: frames arriving in the measured window, by {@link MonitorFrameScan.Kind}. */
  final long[] monitorByKind = new long[MonitorFrameScan.Kind.values().length];
  /** Monitor scenario, whole run: a driver MESSAGE's log frame a subscriber got again, and driver messages skipped. */
  long monitorDuplicates;
  long monitorGaps;
  /** Monitor scenario: the driver's MESSAGEs whose (intended) send falls in the measured window. */
  long driverSentInWindow;
  long sessionsReady;
  long sessionsFailed;
  long sessionsClosedEarly;
  long agentsReady;
  long agentReplies;
  long subscribersReady;
  final Map<String, Long> errors = new TreeMap<>();

  void error(String code) {
    errors.merge(code, 1L, Long::sum);
  }

  void mergeInto(WorkerStats total) {
    total.latencyUs.add(latencyUs);
    total.roundTrips += roundTrips;
    total.sent += sent;
    total.monitorFrames += monitorFrames;
    for (int i = 0; i < monitorByKind.length; i++) {
      total.monitorByKind[i] += monitorByKind[i];
    }
    total.monitorDuplicates += monitorDuplicates;
    total.monitorGaps += monitorGaps;
    total.driverSentInWindow += driverSentInWindow;
    total.sessionsReady += sessionsReady;
    total.sessionsFailed += sessionsFailed;
    total.sessionsClosedEarly += sessionsClosedEarly;
    total.agentsReady += agentsReady;
    total.agentReplies += agentReplies;
    total.subscribersReady += subscribersReady;
    errors.forEach((k, v) -> total.errors.merge(k, v, Long::sum));
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }
}
