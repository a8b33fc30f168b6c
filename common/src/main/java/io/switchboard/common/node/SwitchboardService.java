package io.switchboard.common.node;

import io.vertx.core.Future;

/**
 * A role a node can run (hub, stats, alert). The launcher deploys the services named by the {@code services}
 * key; each deploys its own verticles and completes once it is ready (consumers registered cluster-wide).
 */
public interface SwitchboardService {
  /** The role name, as written in {@code services}. */
  String role();

  /** Deploys the service's verticles; the future completes when it is ready to serve. */
  Future<?> deploy(NodeContext node);
}
