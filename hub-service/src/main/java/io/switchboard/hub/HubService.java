package io.switchboard.hub;

import io.switchboard.common.node.NodeContext;
import io.switchboard.common.node.SwitchboardService;
import io.vertx.core.Future;

/** The hub role: HAIP sessions on /haip, the monitor stream on /ws, tool routing, node counters. */
public final class HubService implements SwitchboardService {
  @Override
  public String role() {
    return "hub";
  }

  @Override
  public Future<?> deploy(NodeContext node) {
    return Future.succeededFuture();
  }
}
