package io.switchboard.alert;

import io.switchboard.common.node.NodeContext;
import io.switchboard.common.node.SwitchboardService;
import io.vertx.core.Future;

/** The alert role: evaluates rules over the cluster view and delivers alert transitions. */
public final class AlertService implements SwitchboardService {
  @Override
  public String role() {
    return "alert";
  }

  @Override
  public Future<?> deploy(NodeContext node) {
    return Future.succeededFuture();
  }
}
