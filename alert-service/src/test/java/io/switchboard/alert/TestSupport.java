package io.switchboard.alert;

import static io.switchboard.common.testing.Await.await;
import static io.switchboard.common.testing.Await.eventually;

import io.switchboard.common.Addresses;
import io.switchboard.common.alert.AlertEvent;
import io.switchboard.common.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers for the alert cluster tests: a ClusterStats publisher, an event recorder, a webhook receiver, polling. */
final class TestSupport {
  private TestSupport() {}

  /** Publishes a ClusterStats JSON on switchboard.stats.cluster every 100 ms; fields can be changed at any time. */
  static final class StatsDriver {
    final Map<String, Object> fields = new ConcurrentHashMap<>();
    final AtomicInteger published = new AtomicInteger();
    private final Vertx vertx;
    private final long timer;

    StatsDriver(Vertx vertx) {
      this.vertx = vertx;
      fields.putAll(Map.of("activeConnections", 3, "agentsConnected", 1, "errorRate", 0.0, "framesInWindow", 100,
          "messagesInWindow", 100, "nodes", 3, "nodesUp", 3, "nodesDown", 0));
      timer = vertx.setPeriodic(100, t -> publishNow());
    }

    void publishNow() {
      JsonObject s = new JsonObject(new HashMap<>(fields)).put("timestamp", System.currentTimeMillis())
          .put("perNode", new JsonArray()).put("downNodes", new JsonArray());
      vertx.eventBus().publish(Addresses.STATS_CLUSTER, s);
      published.incrementAndGet();
    }

    /** Sets a field and publishes at once. */
    void set(String field, Object value) {
      fields.put(field, value);
      vertx.runOnContext(v -> publishNow());
    }

    /** Waits until n more stats have been published: enough evaluations for anything pending to show. */
    void waitPublications(int n) {
      int target = published.get() + n;
      eventually(10_000, () -> published.get() >= target, () -> "stats publications");
    }

    void stop() {
      vertx.cancelTimer(timer);
    }
  }

  /** Records every AlertEvent published on switchboard.alerts, with its arrival time. */
  static final class Recorder {
    record Seen(AlertEvent event, long at) {}

    final List<Seen> seen = new CopyOnWriteArrayList<>();

    Recorder(Vertx vertx) {
      Await.await(vertx.eventBus().<JsonObject>consumer(Addresses.ALERTS, m -> seen.add(new Seen(AlertEvent.fromJson(m.body()), System.currentTimeMillis())))
          .completion());
    }

    List<AlertEvent> of(String rule, String state) {
      return seen.stream().map(Seen::event).filter(e -> e.rule().equals(rule) && e.state().equals(state)).toList();
    }

    Seen first(String rule, String state) {
      return seen.stream().filter(s -> s.event().rule().equals(rule) && s.event().state().equals(state)).findFirst().orElse(null);
    }
  }

  /**
   * A local webhook receiver that answers 503 to the first {@code failFirst} attempts of each notification (by its
   * alert id), then 200: another alert's notification arriving first does not use up this one's refusals.
   */
  static final class WebhookReceiver {
    final List<JsonObject> received = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    final Map<String, Integer> attemptsById = new ConcurrentHashMap<>();
    final HttpServer server;

    WebhookReceiver(Vertx vertx, int failFirst) {
      server = Await.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
        requests.incrementAndGet();
        String id = req.getHeader("x-switchboard-alert-id");
        int n = attemptsById.merge(id == null ? "" : id, 1, Integer::sum);
        if (n <= failFirst) {
          req.response().setStatusCode(503).end("try later");
          return;
        }
        received.add(b.toJsonObject());
        req.response().setStatusCode(200).end();
      })).listen(0, "127.0.0.1"));
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort() + "/hook/secret-path";
    }

    List<JsonObject> forRule(String rule) {
      return received.stream().filter(j -> rule.equals(j.getString("rule"))).toList();
    }
  }

  /** An HTTP request to a node, answering {status, body}. */
  static JsonObject http(Vertx vertx, HttpMethod method, int port, String path, Object body) {
    HttpClient client = vertx.createHttpClient();
    try {
      return await(client.request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path))
          .compose(req -> body == null ? req.send() : req.putHeader("content-type", "application/json").send(Buffer.buffer(body.toString())))
          .compose(resp -> resp.body().map(b -> new JsonObject().put("status", resp.statusCode()).put("body", b.toString()))));
    } finally {
      client.close();
    }
  }

  static JsonObject query(Vertx vertx, JsonObject q) {
    return await(vertx.eventBus().<JsonObject>request(Addresses.ALERTS_QUERY, q, new DeliveryOptions().setSendTimeout(2000)).map(m -> m.body()));
  }
}
