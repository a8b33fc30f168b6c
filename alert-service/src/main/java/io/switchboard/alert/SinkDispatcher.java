package io.switchboard.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to one sink, in order, one at a time, from a bounded queue: a failed attempt (transport
 * error or non-2xx) is retried after an exponential backoff up to maxAttempts, then counted as failed; a full
 * queue drops its oldest entry (counted). Runs on one event loop (the alert verticle's context).
 */
final class SinkDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(SinkDispatcher.class);

  /** One notification. key: its entry in the cluster's sink outbox (null for Alertmanager re-sends). */
  record Item(String key, String eventId, Object body) {}

  private final Vertx vertx;
  private final HttpClient client;
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

  SinkDispatcher(Vertx vertx, HttpClient client, SinkConfig sink, MeterRegistry registry, Consumer<Item> finished) {
    this.vertx = vertx;
    this.client = client;
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
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(sink.url())
        .setTimeout(sink.timeoutMs()).putHeader("content-type", "application/json")
        .putHeader("x-switchboard-alert-id", item.eventId());
    sink.headers().forEach(ro::putHeader);
    Buffer body = Buffer.buffer(Json.encode(item.body()));
    client.request(ro)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2
            ? Future.succeededFuture()
            : Future.failedFuture("HTTP " + resp.statusCode())))
        .onComplete(ar -> {
          if (stopped || current != item) {
            return;
          }
          if (ar.succeeded()) {
            delivered.increment();
            done(item);
          } else {
            attemptErrors.increment();
            String reason = safeReason(ar.cause());
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

  /** A failure reason without the sink's URL (a secret: Slack and webhook URLs carry tokens in their paths). */
  private String safeReason(Throwable t) {
    String msg = t.getMessage() == null ? "" : t.getMessage();
    try {
      URI u = URI.create(sink.url());
      msg = msg.replace(sink.url(), "****");
      if (u.getRawPath() != null && u.getRawPath().length() > 1) {
        msg = msg.replace(u.getRawPath(), "/****");
      }
      if (u.getRawQuery() != null) {
        msg = msg.replace(u.getRawQuery(), "****");
      }
    } catch (IllegalArgumentException e) {
      msg = "";
    }
    return t.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
  }
}
