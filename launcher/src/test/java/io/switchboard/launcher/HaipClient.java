package io.switchboard.launcher;

import static io.switchboard.common.testing.Await.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A minimal HAIP client on the JDK's own WebSocket implementation (not Vert.x), speaking the wire format as the
 * reference SDK does: envelope fields as strings, transaction "null" outside a transaction.
 */
public final class HaipClient implements AutoCloseable {
  private WebSocket ws;
  private final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  /** Every frame received, in order (for diagnosing a failed expectation). */
  public final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private final CompletableFuture<int[]> closed = new CompletableFuture<>();
  private volatile String session;
  private long seq;
  private volatile boolean agentEcho;
  /** As an agent: MESSAGE replies written to the socket. */
  public final AtomicLong agentReplies = new AtomicLong();

  /** The socket closed (by the server, or dropped) before the frame awaited arrived, or before a send. */
  public static final class Closed extends AssertionError {
    /** The close code the server sent; -1 for a drop. */
    public final int code;

    Closed(int code, String what) {
      super("socket closed (" + code + ") " + what);
      this.code = code;
    }
  }

  private HaipClient() {}

  /** Whether a fresh session on the node at {@code port} finds {@code tool} in its TOOL_LIST. */
  public static boolean toolListed(int port, String tool) {
    try (HaipClient c = connect(port)) {
      return c.handshake(null).listsTool(tool);
    }
  }

  /** Whether this (handshaken) session's TOOL_LIST holds {@code tool}. */
  public boolean listsTool(String tool) {
    send(frame("TOOL_LIST", null, new JsonObject(), "SYSTEM"));
    return await("TOOL_LIST", Duration.ofSeconds(5)).encode().contains("\"" + tool + "\"");
  }

  public static HaipClient connect(int port) {
    return connect("ws://127.0.0.1:" + port + "/haip");
  }

  public static HaipClient connect(String url) {
    HaipClient c = new HaipClient();
    StringBuilder partial = new StringBuilder();
    WebSocket.Listener listener = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          JsonObject f = new JsonObject(partial.toString());
          partial.setLength(0);
          if (c.agentEcho && "MESSAGE".equals(f.getString("type"))) {
            // as an agent: answer every MESSAGE of a transaction we serve with the same payload
            try {
              c.send(c.frame("MESSAGE", f.getString("transaction"), f.getValue("payload"), "AGENT"));
              c.agentReplies.incrementAndGet();
            } catch (Closed e) {
              // the socket is closing: this reply is lost
            }
          }
          c.received.add(f);
          c.inbox.add(f);
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        c.closed.complete(new int[] {statusCode});
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        c.closed.complete(new int[] {-1});
      }
    };
    c.ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(url), listener).orTimeout(10, TimeUnit.SECONDS).join();
    return c;
  }

  public synchronized JsonObject frame(String type, String transaction, Object payload, String channel) {
    return new JsonObject().put("id", UUID.randomUUID().toString()).put("session", session == null ? "pending" : session)
        .put("transaction", transaction == null ? "null" : transaction).put("seq", String.valueOf(++seq))
        .put("ts", String.valueOf(System.currentTimeMillis())).put("channel", channel).put("type", type)
        .put("payload", payload);
  }

  /** Sends a frame; {@link Closed} when the socket is already closed or fails. */
  public synchronized void send(JsonObject frame) {
    try {
      ws.sendText(frame.encode(), true).join();
    } catch (CompletionException | IllegalStateException e) {
      throw new Closed(closeCode(), "while sending " + frame.getString("type"));
    }
  }

  /** Shakes hands as an agent offering these tools (input schema: a string) and echoes every MESSAGE it is sent. */
  public HaipClient agent(String... tools) {
    JsonArray list = new JsonArray();
    for (String t : tools) {
      list.add(new JsonObject().put("name", t).put("description", "test tool " + t)
          .put("inputSchema", new JsonObject().put("type", "string")));
    }
    agentEcho = true;
    return handshake(new JsonObject().put("role", "agent").put("tools", list).put("platform", "it"));
  }

  /** Next frame of this type (others are skipped), or an AssertionError after the timeout. */
  public JsonObject await(String type, Duration timeout) {
    return await(f -> type.equals(f.getString("type")), timeout, type);
  }

  /**
   * Next frame matching (others are skipped); {@link Closed} once the socket is closed and every frame received
   * before the close was looked at; an AssertionError after the timeout.
   */
  public JsonObject await(Predicate<JsonObject> match, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonObject f = left > 0 ? inbox.poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS) : null;
        if (f == null && closed.isDone()) {
          f = inbox.poll();
          if (f == null) {
            throw new Closed(closeCode(), "while waiting for " + what);
          }
        }
        if (f == null) {
          if (System.nanoTime() - deadline < 0) {
            continue;
          }
          throw new AssertionError("no " + what + " frame within " + timeout);
        }
        if (match.test(f)) {
          return f;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  /** Waits for the server HAI, then shakes hands as a client (or an agent offering tools). */
  public HaipClient handshake(JsonObject extra) {
    JsonObject hai = await("HAI", Duration.ofSeconds(10));
    session = hai.getString("session");
    JsonObject payload = new JsonObject().put("haip_version", "1.1.2").put("accept_major", new JsonArray().add(1))
        .put("accept_events", new JsonArray().add("HAI").add("MESSAGE").add("TRANSACTION_START").add("TRANSACTION_END")
            .add("ERROR").add("PING").add("PONG"));
    if (extra != null) {
      payload.mergeIn(extra);
    }
    send(frame("HAI", null, payload, "SYSTEM"));
    return this;
  }

  /** Starts a transaction on a tool; returns the server transaction id. */
  public String start(String tool) {
    String ref = UUID.randomUUID().toString();
    send(frame("TRANSACTION_START", ref, new JsonObject().put("toolName", tool), "USER"));
    JsonObject answer = await(f -> "TRANSACTION_START".equals(f.getString("type"))
        && f.getJsonObject("payload") != null && ref.equals(f.getJsonObject("payload").getString("referenceId")),
        Duration.ofSeconds(10), "TRANSACTION_START echo");
    return answer.getString("transaction");
  }

  /** Sends a MESSAGE in a transaction and waits for its echo. */
  public JsonObject echo(String tx, String text) {
    send(frame("MESSAGE", tx, text, "USER"));
    return await(f -> "MESSAGE".equals(f.getString("type")) && tx.equals(f.getString("transaction"))
        && text.equals(f.getValue("payload")), Duration.ofSeconds(10), "echoed MESSAGE");
  }

  public void end(String tx) {
    send(frame("TRANSACTION_END", tx, new JsonObject(), "USER"));
  }

  public String session() {
    return session;
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Completes when the socket closes (by the server, or dropped). */
  public CompletableFuture<?> whenClosed() {
    return closed;
  }

  /** The close code the server sent, -1 for a drop, 0 while open. */
  public int closeCode() {
    return closed.isDone() ? closed.join()[0] : 0;
  }

  /** The close code the server sent, or an AssertionError after the timeout. */
  public int awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS)[0];
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + timeout);
    }
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
      try {
        closed.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        ws.abort();
      }
    }
  }
}
