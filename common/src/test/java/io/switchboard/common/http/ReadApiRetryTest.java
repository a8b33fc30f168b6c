package io.switchboard.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.Addresses;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The read API over a real 3-node cluster where one replica of a service fails every query (as one that is dying or
 * cut off from the cluster store would): every GET still answers 200, because a read is asked again and the event
 * bus sends it to the next replica; a write is asked once, so it is never applied twice.
 */
class ReadApiRetryTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aReadIsAskedAgainOnAnotherReplicaAndAWriteIsAskedOnce() throws Exception {
    try (TestNodes.Cluster c = new TestNodes.Cluster(4)) {
      SwitchboardNode front = c.start("front", List.of(), Map.of());
      SwitchboardNode broken = c.start("broken", List.of(), Map.of());
      SwitchboardNode healthy = c.start("healthy", List.of(), Map.of());
      AtomicInteger brokenAsked = new AtomicInteger();
      AtomicInteger healthyAsked = new AtomicInteger();
      List<String> writes = new ArrayList<>();
      Await.await(broken.vertx().eventBus().<JsonObject>consumer(Addresses.ALERTS_QUERY, m -> {
        brokenAsked.incrementAndGet();
        synchronized (writes) {
          if ("createSilence".equals(m.body().getString("what"))) {
            writes.add("broken");
          }
        }
        m.fail(503, "alert state unavailable on this replica");
      }).completion());
      Await.await(healthy.vertx().eventBus().<JsonObject>consumer(Addresses.ALERTS_QUERY, m -> {
        healthyAsked.incrementAndGet();
        synchronized (writes) {
          if ("createSilence".equals(m.body().getString("what"))) {
            writes.add("healthy");
          }
        }
        m.reply(new JsonObject().put("items", new JsonArray()).put("from", "healthy"));
      }).completion());
      // until the front node's view lists both replicas, every read reaches the healthy one only
      long deadline = System.currentTimeMillis() + 15_000;
      while (brokenAsked.get() == 0) {
        assertThat(System.currentTimeMillis()).as("the broken replica was never asked").isLessThan(deadline);
        get(front, "/alerts");
      }
      brokenAsked.set(0);
      healthyAsked.set(0);

      for (int i = 0; i < 8; i++) {
        HttpResponse<String> r = get(front, "/alerts");
        assertThat(r.statusCode()).as("GET /alerts #%d: %s", i, r.body()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getString("from")).isEqualTo("healthy");
      }
      // round robin sent about half of the first asks to the broken replica; each was asked again, once
      assertThat(healthyAsked.get()).isEqualTo(8);
      assertThat(brokenAsked.get()).isBetween(1, 8);

      // writes: two silences posted, each asked of exactly one replica, so the broken one's refusal reaches the caller
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        statuses.add(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.httpPort() + "/silences"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("matchers", new JsonArray()
                .add(new JsonObject().put("name", "alertname").put("value", "X"))).put("duration", "1m").encode()))
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      }
      assertThat(writes).hasSize(2);
      assertThat(statuses).contains(503);
    }
  }

  static HttpResponse<String> get(SwitchboardNode n, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
