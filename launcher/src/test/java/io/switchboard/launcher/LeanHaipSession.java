package io.switchboard.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A handshaken HAIP client session (JDK WebSocket) that keeps nothing of what it receives but a short summary per
 * frame (type, transaction, seq, the reference or related id, an ERROR's code, the frame's size), so that
 * dozens of sessions can move hundreds of megabytes through a node without filling the test JVM's heap.
 */
final class LeanHaipSession implements AutoCloseable {
  /** What is kept of a received frame. */
  record Seen(String type, String transaction, long seq, String referenceId, String relatedId, String code, int chars) {}

  private WebSocket ws;
  private final LinkedBlockingQueue<Seen> inbox = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile String session = "pending";
  private long seq;
  final AtomicLong charsIn = new AtomicLong();
  final AtomicLong framesIn = new AtomicLong();

  static LeanHaipSession connect(int port) {
    LeanHaipSession s = new LeanHaipSession();
    s.ws = TextWebSocket.open(port, "/haip", s::onFrame, s.closed);
    Seen hai = s.await(f -> "HAI".equals(f.type()), Duration.ofSeconds(10));
    if (hai == null) {
      s.ws.abort();
      throw new AssertionError("no HAI from the server within 10 s");
    }
    s.send(s.frame("HAI", null, new JsonObject().put("haip_version", "1.1.2").put("accept_major", new JsonArray().add(1)), "SYSTEM"));
    return s;
  }

  private void onFrame(String text) {
    JsonObject f;
    try {
      f = new JsonObject(text);
    } catch (RuntimeException e) {
      return;
    }
    framesIn.incrementAndGet();
    charsIn.addAndGet(text.length());
    String type = f.getString("type");
    if ("HAI".equals(type)) {
      session = f.getString("session");
    }
    JsonObject p = f.getValue("payload") instanceof JsonObject o ? o : null;
    long s;
    try {
      s = Long.parseLong(String.valueOf(f.getValue("seq")));
    } catch (NumberFormatException e) {
      s = -1;
    }
    inbox.add(new Seen(type, f.getString("transaction"), s, p == null ? null : str(p.getValue("referenceId")),
        p == null ? null : str(p.getValue("related_id")), p == null ? null : str(p.getValue("code")), text.length()));
  }

  private static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  synchronized JsonObject frame(String type, String transaction, Object payload, String channel) {
    return new JsonObject().put("id", UUID.randomUUID().toString()).put("session", session)
        .put("transaction", transaction == null ? "null" : transaction).put("seq", String.valueOf(++seq))
        .put("ts", String.valueOf(System.currentTimeMillis())).put("channel", channel).put("type", type).put("payload", payload);
  }

  /** Sends a frame; false when the socket is closed or the send did not complete within 15 s. */
  boolean send(JsonObject frame) {
    return sendRaw(frame.encode());
  }

  synchronized boolean sendRaw(String text) {
    if (closed.isDone()) {
      return false;
    }
    try {
      ws.sendText(text, true).get(15, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** The next received frame matching (others are dropped); null after the timeout or once closed and drained. */
  Seen await(Predicate<Seen> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        Seen f = inbox.poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
        if (f == null) {
          if (closed.isDone() && inbox.isEmpty()) {
            return null;
          }
          continue;
        }
        if (match.test(f)) {
          return f;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Drops every frame received so far. */
  void drain() {
    inbox.clear();
  }

  boolean isClosed() {
    return closed.isDone();
  }

  int closeCode() {
    return closed.isDone() ? closed.join() : 0;
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(3, TimeUnit.SECONDS).exceptionally(e -> null);
      try {
        closed.get(3, TimeUnit.SECONDS);
      } catch (Exception e) {
        ws.abort();
      }
    }
  }
}
