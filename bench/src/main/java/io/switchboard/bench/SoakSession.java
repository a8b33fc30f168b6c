package io.switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One well-behaved WebSocket session of the soak on the JDK client: frames received are parsed and queued (or
 * handed to a handler), sends are serialized (the JDK allows one outstanding send), and every wait has a deadline.
 * HAIP {@code PING}s from the hub are answered with a {@code PONG} carrying the same nonce.
 */
final class SoakSession implements WebSocket.Listener, AutoCloseable {
  private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final Object sendLock = new Object();
  private volatile Consumer<JsonObject> handler;
  private volatile WebSocket ws;
  volatile String session = "pending";
  /** The close code the server sent, or -1 while open; 1006 when the connection ended without one. */
  volatile int closeCode = -1;
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private long seq;

  private SoakSession() {}

  /** Opens a socket on {@code uri}; throws when the upgrade fails or takes longer than {@code timeout}. */
  static SoakSession open(HttpClient http, URI uri, Duration timeout) throws Exception {
    SoakSession s = new SoakSession();
    s.ws = http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, s).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return s;
  }

  /** Opens a HAIP session and completes the handshake: the server's HAI, then ours (an agent's when tool != null). */
  static SoakSession haip(HttpClient http, URI uri, String ref, String agentTool, Duration timeout) throws Exception {
    SoakSession s = open(http, uri, timeout);
    JsonObject hai = s.await(f -> "HAI".equals(f.getString("type")), timeout);
    if (hai == null) {
      s.close();
      throw new IllegalStateException("no HAI from the server");
    }
    s.session = hai.getString("session", "pending");
    s.send(Haip.hai(ref + "-hai", s.session, s.nextSeq(), agentTool));
    return s;
  }

  synchronized long nextSeq() {
    return ++seq;
  }

  /** Frames from now on go to {@code h} instead of the queue (run on the client's threads; keep it short). */
  void onFrame(Consumer<JsonObject> h) {
    this.handler = h;
  }

  void send(JsonObject frame) {
    sendText(frame.encode());
  }

  /** Sends one text message; a send that does not complete within 30 s aborts the session. */
  void sendText(String text) {
    WebSocket w = ws;
    synchronized (sendLock) {
      try {
        w.sendText(text, true).get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        w.abort();
        throw new IllegalStateException("interrupted while sending");
      } catch (ExecutionException | TimeoutException e) {
        w.abort();
        throw new IllegalStateException("send failed or stalled for 30 s", e);
      }
    }
  }

  void ping(String nonce) {
    send(Haip.envelope(nonce, session, null, nextSeq(), "SYSTEM", "PING", new JsonObject().put("nonce", nonce)));
  }

  /** The first queued frame matching {@code p} within {@code timeout} (others are dropped), or null. */
  JsonObject await(Predicate<JsonObject> p, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      JsonObject f = inbox.poll(left, TimeUnit.NANOSECONDS);
      if (f == null) {
        return null;
      }
      if (p.test(f)) {
        return f;
      }
    }
  }

  boolean isOpen() {
    return closeCode < 0;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        f = new JsonObject().put("type", "UNPARSABLE");
      }
      if ("PING".equals(f.getString("type")) && f.getValue("payload") instanceof JsonObject p) {
        JsonObject pong = Haip.envelope("pong-" + nextSeq(), session, null, nextSeq(), "SYSTEM", "PONG",
            new JsonObject().put("nonce", p.getValue("nonce")));
        CompletableFuture.runAsync(() -> send(pong));
      }
      Consumer<JsonObject> h = handler;
      if (h != null) {
        h.accept(f);
      } else {
        inbox.add(f);
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode = statusCode;
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    if (closeCode < 0) {
      closeCode = 1006;
    }
    closed.complete(closeCode);
  }

  @Override
  public void close() {
    WebSocket w = ws;
    if (w == null) {
      return;
    }
    try {
      synchronized (sendLock) {
        w.sendClose(WebSocket.NORMAL_CLOSURE, "soak done").orTimeout(5, TimeUnit.SECONDS).join();
      }
      // the server answers the close and ends the connection; abort only if it does not within 5 s
      closed.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // already closed by the server, or no answer in time
    }
    w.abort();
  }
}
