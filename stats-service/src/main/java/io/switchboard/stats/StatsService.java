package io.switchboard.stats;

import io.switchboard.common.node.NodeContext;
import io.switchboard.common.node.SwitchboardService;
import io.vertx.core.Future;

/** The stats role: merges node reports into the cluster view and answers queries about it. */
public final class StatsService implements SwitchboardService {
  @Override
  public String role() {
    return "stats";
  }

  @Override
  public Future<?> deploy(NodeContext node) {
    return Future.succeededFuture();
  }
}
