package io.switchboard.alert;

import io.vertx.core.Future;

/**
 * Sends one notification to one sink; a failed future is one failed attempt (the dispatcher retries). Failure
 * messages are safe to log: they name no URL, key or password.
 */
interface SinkTransport {
  Future<Void> send(SinkDispatcher.Item item);

  /** Releases what the transport holds (a mail client's connections); HTTP transports share the verticle's client. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
