package io.switchboard.hub;

import io.opentelemetry.api.trace.Span;
import io.switchboard.hub.exec.Execution;
import io.switchboard.hub.session.ReplayWindow;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A transaction as its client's node holds it: the execution, where its provider runs, who watches it. Owned by the
 * client session's event loop; other contexts (the node's transaction consumer, the sweeps, monitor interest) read
 * only its final fields {@code id}, {@code client} and {@code startedAtMs}, and run on {@code client.ctx} for the rest.
 */
final class ClientTx {
  final String id;
  final HaipSession client;
  final Execution exec;
  final boolean echo;
  final ReplayWindow replay;
  /** When the client started it (epoch ms): what hub.execution.timeout is measured from. */
  final long startedAtMs;
  /** The transaction's span on the client's node, from start to end (a no-op span when tracing is off). */
  final Span span;
  /** Its trace id, as /ws execution frames carry it; null when tracing is off. */
  final String traceId;
  /** Set once a provider took the transaction. */
  String providerNode;
  String providerClusterNode;
  /** Whether the provider's node reads forwarded frames as members ({@link TxRouting#READS_MEMBERS}). */
  boolean providerReadsMembers;
  /** Nodes whose monitors watch this execution; null until someone does. */
  private Set<String> watchers;

  ClientTx(String id, HaipSession client, Execution exec, boolean echo, ReplayWindow replay, Span span) {
    this.id = id;
    this.span = span;
    this.traceId = span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
    this.client = client;
    this.exec = exec;
    this.echo = echo;
    this.replay = replay;
    this.startedAtMs = exec.createdAt();
  }

  boolean watched() {
    return watchers != null && !watchers.isEmpty();
  }

  void forEachWatcher(Consumer<String> node) {
    if (watchers != null) {
      watchers.forEach(node);
    }
  }

  void watch(String node) {
    if (watchers == null) {
      watchers = new HashSet<>(2);
    }
    watchers.add(node);
  }

  void unwatch(String node) {
    if (watchers != null) {
      watchers.remove(node);
    }
  }
}
