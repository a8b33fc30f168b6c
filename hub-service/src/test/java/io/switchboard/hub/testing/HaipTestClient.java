package io.switchboard.hub.testing;

import static io.switchboard.common.testing.Await.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A small HAIP client for tests: connects over a real socket, sends envelopes the way the reference SDK does
 * (transaction "null" when none, seq/ts as strings) and waits for frames by predicate with a deadline.
 */
public final class HaipTestClient implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(15);

  /** Held for the socket's life: Vert.x closes a client nothing references any more, with its sockets. */
  private final WebSocketClient client;
  private final ClientWebSocket ws;
  private final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private final String ownSession = UUID.randomUUID().toString();
  private long seq;
  /** The session id the server assigned in its HAI (set by {@link #connect}). */
  public final String session;
  public final JsonObject serverHai;

  private HaipTestClient(WebSocketClient client, WebSocketConnectOptions options) {
    this.client = client;
    this.ws = client.webSocket();
    // Handlers first, then connect: the server's HAI arrives at once.
    ws.textMessageHandler(t -> inbox.add(new JsonObject(t)));
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? (short) 1005 : ws.closeStatusCode()));
    await(ws.connect(options));
    JsonObject hai = next(f -> "HAI".equals(f.getString("type")));
    this.serverHai = hai;
    this.session = hai.getString("session");
  }

  /** Opens a socket to {@code path} ("/haip") on the port and waits for the server's HAI. */
  public static HaipTestClient connect(Vertx vertx, int port, String path) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 * 1024 * 1024)
        .setMaxFrameSize(64 * 1024 * 1024));
    return new HaipTestClient(client, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path));
  }

  /** Connects and completes the handshake with this HAI payload. */
  public static HaipTestClient open(Vertx vertx, int port, JsonObject haiPayload) {
    HaipTestClient c = connect(vertx, port, "/haip");
    c.send("HAI", null, haiPayload);
    return c;
  }

  public static JsonObject clientHai() {
    return new JsonObject().put("haip_version", "1.1.2").put("accept_major", new JsonArray().add(1))
        .put("accept_events", new JsonArray().add("MESSAGE"));
  }

  public static JsonObject agentHai(JsonArray tools) {
    return clientHai().put("role", "agent").put("tools", tools).put("platform", "test-agent");
  }

  public static JsonObject envelope(String session, String type, String transaction, Object payload) {
    return new JsonObject().put("id", UUID.randomUUID().toString()).put("session", session)
        .put("transaction", transaction == null ? "null" : transaction).put("seq", String.valueOf(System.nanoTime()))
        .put("ts", String.valueOf(System.currentTimeMillis())).put("channel", "USER").put("type", type)
        .put("payload", payload);
  }

  /** Sends a frame; returns it (its id is the related_id of any refusal). */
  public JsonObject send(String type, String transaction, Object payload) {
    JsonObject f = envelope(ownSession, type, transaction, payload).put("seq", String.valueOf(++seq));
    sendRaw(f.encode());
    return f;
  }

  public void sendRaw(String text) {
    await(ws.writeTextMessage(text));
  }

  public void sendFrame(WebSocketFrame frame) {
    await(ws.writeFrame(frame));
  }

  public void sendBinary(byte[] bytes) {
    await(ws.writeBinaryMessage(Buffer.buffer(bytes)));
  }

  /** The next frame matching {@code p}; frames skipped on the way are kept in {@link #seen()}. */
  public JsonObject next(Predicate<JsonObject> p) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching frame within " + WAIT + "; seen: " + seen);
      }
      JsonObject f;
      try {
        f = inbox.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (f == null) {
        if (closed.isDone() && inbox.isEmpty()) {
          throw new AssertionError("socket closed (" + closed.join() + ") before a matching frame; seen: " + seen);
        }
        continue;
      }
      seen.add(f);
      if (p.test(f)) {
        return f;
      }
    }
  }

  /** The next frame matching {@code p} within {@code millis}, or null (non-matching frames are kept in seen()). */
  public JsonObject poll(Predicate<JsonObject> p, long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (JsonObject f : seen) {
      if (p.test(f)) {
        return f;
      }
    }
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      JsonObject f;
      try {
        f = inbox.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      if (f == null) {
        return null;
      }
      seen.add(f);
      if (p.test(f)) {
        return f;
      }
    }
  }

  public JsonObject next(String type) {
    return next(f -> type.equals(f.getString("type")));
  }

  /** The next ERROR frame with this code. */
  public JsonObject error(String code) {
    return next(f -> "ERROR".equals(f.getString("type")) && code.equals(f.getJsonObject("payload").getString("code")));
  }

  /** Starts a transaction and returns the server transaction id from the TRANSACTION_START answer. */
  public String start(String tool, Object params) {
    String ref = UUID.randomUUID().toString();
    JsonObject p = new JsonObject().put("toolName", tool);
    if (params != null) {
      p.put("params", params);
    }
    send("TRANSACTION_START", ref, p);
    JsonObject ans = next(f -> "TRANSACTION_START".equals(f.getString("type"))
        && ref.equals(f.getJsonObject("payload").getString("referenceId")));
    return ans.getString("transaction");
  }

  /** One echo round trip on a fresh transaction: proves the session (and node) still serve. */
  public void echoRoundTrip(String text) {
    String tx = start("echo", null);
    send("MESSAGE", tx, text);
    JsonObject back = next(f -> "MESSAGE".equals(f.getString("type")) && tx.equals(f.getString("transaction")));
    if (!text.equals(back.getValue("payload"))) {
      throw new AssertionError("echo returned " + back);
    }
    send("TRANSACTION_END", tx, new JsonObject());
  }

  public List<String> toolNames() {
    send("TOOL_LIST", null, new JsonObject());
    JsonObject list = next("TOOL_LIST");
    List<String> names = new ArrayList<>();
    list.getJsonObject("payload").getJsonArray("tools").forEach(o -> names.add(((JsonObject) o).getString("name")));
    return names;
  }

  /** Waits for the socket to close; returns the close code. */
  public short awaitClose() {
    try {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket did not close", e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public List<JsonObject> seen() {
    return seen;
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      try {
        ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // already closing
      }
    }
    client.close();
  }
}
