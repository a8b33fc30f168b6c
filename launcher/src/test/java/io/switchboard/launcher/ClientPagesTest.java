package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.HubService;
import io.switchboard.stats.StatsService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/clients} pages across a real three-node cluster (hub and stats on each, loopback Hazelcast, real HAIP
 * sockets, real HTTP): every session appears exactly once, in connected_at order, whichever node is asked.
 */
class ClientPagesTest {
  static final int PER_NODE = 50;
  static final int PAGE = 7;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static TestNodes.Cluster cluster;
  static List<SwitchboardNode> nodes = new ArrayList<>();
  static Vertx vertx;
  /** Held for the test's life: Vert.x closes a client nothing references any more, with its sockets. */
  static WebSocketClient sockets;
  static final Set<String> sessions = new HashSet<>();

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    Map<String, Object> fast = Map.of("stats.interval", "200ms");
    for (String name : List.of("a", "b", "c")) {
      nodes.add(cluster.start(name, List.of(new HubService(), new StatsService()), fast));
    }
    vertx = Vertx.vertx();
    sockets = vertx.createWebSocketClient();
    // sessions on the three nodes interleaved, so that connected_at order mixes the nodes
    for (int i = 0; i < PER_NODE; i++) {
      for (SwitchboardNode n : nodes) {
        sessions.add(Await.await(open(sockets, n.httpPort())));
      }
    }
  }

  /** A handshaken HAIP client session; completes with its session id. */
  static Future<String> open(WebSocketClient client, int port) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/haip"))
        .compose(ws -> {
          Promise<String> session = Promise.promise();
          ws.textMessageHandler(t -> {
            JsonObject f = new JsonObject(t);
            if ("HAI".equals(f.getString("type"))) {
              String id = f.getString("session");
              ws.writeTextMessage(hai(id).encode()).onFailure(session::tryFail);
              // the server answers nothing to an accepted client HAI: a PING's PONG says it was processed
              ws.writeTextMessage(envelope(id, "PING", new JsonObject().put("nonce", "n")).encode());
            } else if ("PONG".equals(f.getString("type"))) {
              session.tryComplete(f.getString("session"));
            }
          });
          return session.future();
        });
  }

  static JsonObject hai(String session) {
    return envelope(session, "HAI", new JsonObject().put("haip_version", "1.1.2")
        .put("accept_major", new JsonArray().add(1)).put("accept_events", new JsonArray().add("MESSAGE")));
  }

  static JsonObject envelope(String session, String type, JsonObject payload) {
    return new JsonObject().put("id", UUID.randomUUID().toString()).put("session", session).put("transaction", "null")
        .put("seq", "1").put("ts", String.valueOf(System.currentTimeMillis())).put("channel", "SYSTEM")
        .put("type", type).put("payload", payload);
  }

  @AfterAll
  static void stop() {
    cluster.close();
    if (vertx != null) {
      Await.await(vertx.close());
    }
  }

  @Test
  void everySessionOnceInConnectedAtOrderFromAnyNode() throws Exception {
    for (SwitchboardNode asked : nodes) {
      List<JsonObject> seen = new ArrayList<>();
      long total = -1;
      for (int offset = 0; total < 0 || offset < total; offset += PAGE) {
        JsonObject page = get(asked, "/api/clients?limit=" + PAGE + "&offset=" + offset);
        assertThat(page.containsKey("partial")).as(page.encode()).isFalse();
        total = page.getLong("total");
        assertThat(total).isEqualTo(sessions.size());
        JsonArray clients = page.getJsonArray("clients");
        assertThat(clients.size()).isEqualTo((int) Math.min(PAGE, total - offset));
        clients.forEach(c -> seen.add((JsonObject) c));
      }
      List<String> ids = seen.stream().map(c -> c.getString("client_id")).toList();
      assertThat(ids).as("asked node " + asked.nodeId()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sessions);
      for (int i = 1; i < seen.size(); i++) {
        JsonObject before = seen.get(i - 1);
        JsonObject after = seen.get(i);
        long a = before.getLong("connected_at");
        long b = after.getLong("connected_at");
        assertThat(a < b || (a == b && before.getString("client_id").compareTo(after.getString("client_id")) < 0))
            .as("%s before %s", before.encode(), after.encode()).isTrue();
      }
      assertThat(seen.stream().map(c -> c.getString("node")).distinct().count()).isEqualTo(3);
    }
  }

  static JsonObject get(SwitchboardNode n, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }
}
