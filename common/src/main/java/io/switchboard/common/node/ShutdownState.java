package io.switchboard.common.node;

import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Graceful-stop coordination: the flag readiness reads, and the drain actions services register (the hub
 * closes its WebSockets with 1001). Actions run after {@code shutdown.drainDelay}, before verticles undeploy.
 */
public final class ShutdownState {
  private volatile boolean shuttingDown;
  private final List<Supplier<Future<?>>> drainActions = new CopyOnWriteArrayList<>();

  public boolean shuttingDown() {
    return shuttingDown;
  }

  public void begin() {
    shuttingDown = true;
  }

  public void onDrain(Supplier<Future<?>> action) {
    drainActions.add(action);
  }

  public List<Supplier<Future<?>>> drainActions() {
    return List.copyOf(drainActions);
  }
}
