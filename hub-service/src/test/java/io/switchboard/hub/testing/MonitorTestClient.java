package io.switchboard.hub.testing;

import io.switchboard.common.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A client of the monitor stream /ws for tests. */
public final class MonitorTestClient implements AutoCloseable {
  private final ClientWebSocket ws;
  private final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();

  private MonitorTestClient(ClientWebSocket ws, int port) {
    this.ws = ws;
    ws.textMessageHandler(t -> inbox.add(new JsonObject(t)));
    Await.await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")));
  }

  public static MonitorTestClient connect(Vertx vertx, int port) {
    return new MonitorTestClient(vertx.createWebSocketClient().webSocket(), port);
  }

  public void send(JsonObject request) {
    Await.await(ws.writeTextMessage(request.encode()));
  }

  public void sendRaw(String text) {
    Await.await(ws.writeTextMessage(text));
  }

  public JsonObject next(Predicate<JsonObject> p) {
    long deadline = System.nanoTime() + HaipTestClient.WAIT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching monitor frame; seen: " + seen);
      }
      JsonObject f;
      try {
        f = inbox.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (f != null) {
        seen.add(f);
        if (p.test(f)) {
          return f;
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // already closed
    }
  }
}
