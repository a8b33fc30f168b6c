package io.switchboard.hub.testing;

import io.switchboard.common.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A client of the monitor stream /ws for tests. */
public final class MonitorTestClient implements AutoCloseable {
  /** Held for the socket's life: Vert.x closes a client nothing references any more, with its sockets. */
  private final WebSocketClient client;
  private final ClientWebSocket ws;
  private final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();

  private MonitorTestClient(WebSocketClient client, int port, String credential) {
    this.client = client;
    this.ws = client.webSocket();
    ws.textMessageHandler(t -> inbox.add(new JsonObject(t)));
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? (short) 1005 : ws.closeStatusCode()));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws");
    if (credential != null) {
      options.addHeader("Authorization", "Bearer " + credential);
    }
    Await.await(ws.connect(options));
  }

  public static MonitorTestClient connect(Vertx vertx, int port) {
    return new MonitorTestClient(vertx.createWebSocketClient(), port, null);
  }

  /** Connects with {@code credential} as the upgrade's Bearer Authorization header. */
  public static MonitorTestClient connect(Vertx vertx, int port, String credential) {
    return new MonitorTestClient(vertx.createWebSocketClient(), port, credential);
  }

  public void send(JsonObject request) {
    if (closed.isDone()) {
      throw new AssertionError("the socket was closed (" + closed.join() + " " + ws.closeReason() + "); seen: " + seen);
    }
    Await.await(ws.writeTextMessage(request.encode()));
  }

  public void sendRaw(String text) {
    Await.await(ws.writeTextMessage(text));
  }

  /** Queues a request without waiting for the write (a burst); false once the socket is closed. */
  public boolean sendNoWait(JsonObject request) {
    if (closed.isDone()) {
      return false;
    }
    ws.writeTextMessage(request.encode());
    return true;
  }

  /** The next error frame with this code. */
  public JsonObject error(String code) {
    return next(f -> "error".equals(f.getString("type")) && code.equals(f.getJsonObject("data").getString("code")));
  }

  /** Waits for the socket to close; returns the close code. */
  public short awaitClose() {
    try {
      return closed.get(HaipTestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket did not close; seen: " + seen, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public List<JsonObject> seen() {
    return seen;
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
    client.close();
  }
}
