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
    HubSettings settings = HubSettings.from(node.config());
    Hub rt = new Hub(node, settings);
    // the owners first: the cluster verticle's context owns the tool offers, the monitor verticle's the monitors,
    // and both exist before the first HAIP session
    return node.vertx().deployVerticle(new ClusterVerticle(rt))
        .compose(id -> node.vertx().deployVerticle(new MonitorVerticle(rt)))
        .compose(id -> node.vertx().deployVerticle(new HaipVerticle(rt)));
  }
}
