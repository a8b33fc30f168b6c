package io.switchboard.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to one sink, in order, one at a time, from a bounded queue: a failed attempt (its
 * transport's failure: a connection error, a timeout, a non-2xx answer or an SMTP refusal) is retried after an exponential backoff up to maxAttempts, then counted as failed; a full
 * queue drops its oldest entry (counted). Runs on one event loop (the alert verticle's context).
 */
final class SinkDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(SinkDispatcher.class);

  /**
   * One notification: one transition, or a group of them (alert.groupWait).
   *
   * @param keys its entries in the cluster's sink outbox (none for Alertmanager re-sends)
   * @param eventId the event id, or the ids of a group joined by commas
   * @param body what the transport sends: JSON for the HTTP sinks, a mail message for email
   */
  record Item(List<String> keys, String eventId, Object body) {}

  private final Vertx vertx;
  private final SinkTransport transport;
  private final SinkConfig sink;
  private final Consumer<Item> finished;
  private final Deque<Item> queue = new ArrayDeque<>();
  private final Counter delivered;
  private final Counter failed;
  private final Counter dropped;
  private final Counter attemptErrors;
  private Item current;
  private int attempt;
  private long timer = -1;
  private boolean stopped;

  SinkDispatcher(Vertx vertx, SinkTransport transport, SinkConfig sink, MeterRegistry registry, Consumer<Item> finished) {
    this.vertx = vertx;
    this.transport = transport;
    this.sink = sink;
    this.finished = finished;
    String type = sink.type().label();
    delivered = outcome(registry, type, "delivered");
    failed = outcome(registry, type, "failed");
    dropped = outcome(registry, type, "dropped");
    attemptErrors = Counter.builder("switchboard.alert.notification.attempt.errors").tag("sink", type)
        .description("Failed delivery attempts to alert sinks (each is retried with backoff until maxAttempts)")
        .register(registry);
  }

  static Counter outcome(MeterRegistry registry, String type, String outcome) {
    return Counter.builder("switchboard.alert.notifications").tag("sink", type).tag("outcome", outcome)
        .description("Alert notifications by sink type and final outcome: delivered, failed (gave up after retries), dropped (queue full), silenced")
        .register(registry);
  }

  SinkConfig sink() {
    return sink;
  }

  int queued() {
    return queue.size() + (current == null ? 0 : 1);
  }

  void enqueue(Item item) {
    if (stopped) {
      return;
    }
    if (queue.size() >= sink.maxQueue()) {
      Item old = queue.pollFirst();
      dropped.increment();
      LOG.warn("alert sink {}: queue full ({}), dropped the oldest notification {}", sink, sink.maxQueue(), old.eventId());
      finished.accept(old);
    }
    queue.addLast(item);
    pump();
  }

  /** Stops delivering (leadership lost or the verticle stops); what is queued stays in the cluster's outbox. */
  void stop() {
    stopped = true;
    queue.clear();
    current = null;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    transport.close();
  }

  private void pump() {
    if (stopped || current != null || queue.isEmpty()) {
      return;
    }
    current = queue.pollFirst();
    attempt = 0;
    send();
  }

  private void send() {
    Item item = current;
    attempt++;
    transport.send(item).onComplete(ar -> {
      if (stopped || current != item) {
        return;
      }
      if (ar.succeeded()) {
        delivered.increment();
        done(item);
      } else {
        attemptErrors.increment();
        String reason = ar.cause().getMessage();
        if (attempt >= sink.maxAttempts()) {
          failed.increment();
          LOG.error("alert sink {}: giving up on notification {} after {} attempts: {}", sink, item.eventId(), attempt, reason);
          done(item);
        } else {
          long delay = sink.backoffMs(attempt);
          LOG.warn("alert sink {}: attempt {} for notification {} failed ({}); retrying in {} ms", sink, attempt, item.eventId(), reason, delay);
          timer = vertx.setTimer(delay, t -> {
            timer = -1;
            if (!stopped && current == item) {
              send();
            }
          });
        }
      }
    });
  }

  private void done(Item item) {
    current = null;
    finished.accept(item);
    pump();
  }
}
