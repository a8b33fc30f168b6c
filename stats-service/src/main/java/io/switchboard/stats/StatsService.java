package io.switchboard.stats;

import io.switchboard.common.node.NodeContext;
import io.switchboard.common.node.SwitchboardService;
import io.vertx.core.Future;

/**
 * The stats role: merges node reports into the cluster view and answers queries about it (docs/stats.md).
 * Any number of replicas may run: each consumes every report; the cluster ledger (a Hazelcast map) holds what
 * departed node ids contributed; one replica at a time (the holder of a cluster lock) publishes.
 */
public final class StatsService implements SwitchboardService {
  @Override
  public String role() {
    return "stats";
  }

  @Override
  public Future<?> deploy(NodeContext node) {
    return node.vertx().deployVerticle(new StatsVerticle(node));
  }
}
