package io.switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's hostile clients, one of each kind of docs/operations.md "Limits" (the kinds HostileClientsIT tests one
 * at a time): each attack runs to its end and reports what the node did, and whether that is the documented answer.
 * They connect from 127.0.0.2-9, so per-address limits on them never lock out the well-behaved traffic on
 * 127.0.0.1.
 */
final class SoakHostile {
  /** What one attack got: its kind, whether the node gave the documented answer, and what was seen. */
  record Outcome(String kind, boolean ok, String seen) {}

  enum Kind { SLOWLORIS, SILENT_HANDSHAKE, OVERSIZE_FRAME, INVALID_UTF8, MALFORMED_FLOOD, PING_FLOOD, NEVER_READS }

  private final int port;
  private final long maxMessageBytes;
  private final List<InetAddress> sources = new ArrayList<>();
  private int next;

  SoakHostile(int port, long maxMessageBytes) throws UnknownHostException {
    this.port = port;
    this.maxMessageBytes = maxMessageBytes;
    for (int i = 2; i <= 9; i++) {
      sources.add(InetAddress.getByName("127.0.0." + i));
    }
  }

  private InetAddress source() {
    return sources.get(next++ % sources.size());
  }

  Outcome run(Kind kind) {
    try {
      return switch (kind) {
        case SLOWLORIS -> slowloris(100);
        case SILENT_HANDSHAKE -> silentHandshakes(50);
        case OVERSIZE_FRAME -> oversizeFrame();
        case INVALID_UTF8 -> invalidUtf8();
        case MALFORMED_FLOOD -> malformedFlood(2_000);
        case PING_FLOOD -> pingFlood();
        case NEVER_READS -> neverReads();
      };
    } catch (IOException | RuntimeException | InterruptedException e) {
      return new Outcome(kind.name(), false, "the attack itself failed: " + e);
    }
  }

  /** Half-sent upgrade requests, one more header line every 2 s: the header deadline must close them all. */
  private Outcome slowloris(int n) throws IOException, InterruptedException {
    List<Socket> open = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < n; i++) {
        Socket s = SoakRawSocket.connect(source(), port);
        s.getOutputStream().write(("GET /haip HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n").getBytes(StandardCharsets.US_ASCII));
        open.add(s);
      }
      int closed = 0;
      long deadline = t0 + Duration.ofSeconds(60).toNanos();
      while (closed < n && System.nanoTime() < deadline) {
        Thread.sleep(2_000);
        closed = 0;
        for (Socket s : open) {
          try {
            OutputStream out = s.getOutputStream();
            out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout(1);
            if (s.getInputStream().read() < 0) {
              closed++;
            }
          } catch (SocketTimeoutException e) {
            // still open
          } catch (IOException e) {
            closed++;
          }
        }
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      return new Outcome("SLOWLORIS", closed == n, closed + "/" + n + " half-sent requests closed by the node after " + ms + " ms");
    } finally {
      open.forEach(SoakHostile::quietly);
    }
  }

  /** Upgrades that never send HAI: the handshake deadline must close them. */
  private Outcome silentHandshakes(int n) throws IOException {
    List<SoakRawSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        open.add(SoakRawSocket.upgrade(source(), port, "/haip"));
      }
      int closed = 0;
      for (SoakRawSocket s : open) {
        if (s.status != 101 || s.closeCode(Duration.ofSeconds(40)) != 0) {
          closed++;
        }
      }
      return new Outcome("SILENT_HANDSHAKE", closed == n, closed + "/" + n + " sockets without HAI closed");
    } finally {
      open.forEach(SoakRawSocket::close);
    }
  }

  private SoakRawSocket handshaken() throws IOException {
    SoakRawSocket s = SoakRawSocket.upgrade(source(), port, "/haip");
    String hai = s.readText();
    if (s.status != 101 || hai == null) {
      s.close();
      throw new IOException("no upgrade and HAI (status " + s.status + ")");
    }
    String session = new JsonObject(hai).getString("session");
    s.sendText(Haip.hai("hostile-" + UUID.randomUUID(), session, 1, null).encode());
    return s;
  }

  /** One text frame twice hub.maxMessageBytes: close 1009. */
  private Outcome oversizeFrame() throws IOException {
    try (SoakRawSocket s = handshaken()) {
      byte[] body = new byte[(int) Math.min(Integer.MAX_VALUE - 16, 2 * maxMessageBytes + 1)];
      Arrays.fill(body, (byte) 'a');
      try {
        s.write(SoakRawSocket.frame(SoakRawSocket.TEXT, body));
      } catch (IOException e) {
        // cut while writing: the close code tells
      }
      int code = s.closeCode(Duration.ofSeconds(20));
      return new Outcome("OVERSIZE_FRAME", code == 1009, body.length + "-byte frame: close " + code);
    }
  }

  /** A text frame that is not UTF-8: close 1007. */
  private Outcome invalidUtf8() throws IOException {
    try (SoakRawSocket s = handshaken()) {
      s.write(SoakRawSocket.frame(SoakRawSocket.TEXT, new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', '}'}));
      int code = s.closeCode(Duration.ofSeconds(20));
      return new Outcome("INVALID_UTF8", code == 1007, "close " + code);
    }
  }

  /** Frames that are not HAIP, sent as fast as the node answers: each gets an ERROR with a code, or the rate limit closes. */
  private Outcome malformedFlood(int n) throws IOException {
    try (SoakRawSocket s = handshaken()) {
      AtomicInteger errors = new AtomicInteger();
      Thread reader = new Thread(() -> {
        try {
          String t;
          while ((t = s.readText()) != null) {
            if (t.contains("\"ERROR\"") && t.contains("\"code\"")) {
              errors.incrementAndGet();
            }
          }
        } catch (IOException e) {
          // the connection ended
        }
      }, "soak-malformed-reader");
      reader.setDaemon(true);
      reader.start();
      int sent = 0;
      try {
        for (; sent < n; sent++) {
          s.sendText(sent % 2 == 0 ? "{not json" : "{\"id\":\"m" + sent + "\",\"type\":42}");
        }
      } catch (IOException e) {
        // the node closed it
      }
      try {
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int code = s.closedWith;
      return new Outcome("MALFORMED_FLOOD", errors.get() > 0, sent + " malformed frames sent, " + errors.get()
          + " ERROR frames with a code back" + (code == 0 ? ", still open" : ", then close " + code));
    }
  }

  /** Ping frames written as fast as possible, never reading: the node must cut the socket within 30 s. */
  private Outcome pingFlood() throws IOException {
    try (SoakRawSocket s = SoakRawSocket.upgrade(source(), port, "/haip")) {
      byte[] one = SoakRawSocket.frame(SoakRawSocket.PING, new byte[0]);
      byte[] burst = new byte[one.length * 1024];
      for (int i = 0; i < 1024; i++) {
        System.arraycopy(one, 0, burst, i * one.length, one.length);
      }
      long t0 = System.nanoTime();
      long written = 0;
      try {
        while (System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos()) {
          s.write(burst);
          written += 1024;
        }
      } catch (IOException e) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Outcome("PING_FLOOD", true, written + " pings, cut after " + ms + " ms");
      }
      return new Outcome("PING_FLOOD", false, written + " pings in 30 s and still open");
    }
  }

  /** An echo transaction fed 32 KiB messages by a client that never reads: the node must close it (slow consumer). */
  private Outcome neverReads() throws IOException, InterruptedException {
    try (SoakRawSocket s = handshaken()) {
      String session = "hostile";
      String ref = "nr-" + UUID.randomUUID();
      s.sendText(Haip.transactionStart(ref + "-start", session, 2, ref, "echo").encode());
      String tx = null;
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (tx == null && System.nanoTime() < until) {
        String t = s.readText();
        if (t == null) {
          break;
        }
        JsonObject f = new JsonObject(t);
        if ("TRANSACTION_START".equals(f.getString("type"))) {
          tx = f.getString("transaction");
        }
      }
      if (tx == null) {
        return new Outcome("NEVER_READS", false, "no transaction started");
      }
      String payload = "r".repeat(32 * 1024);
      String transaction = tx;
      AtomicLong sent = new AtomicLong();
      AtomicLong lastWrite = new AtomicLong(System.nanoTime());
      AtomicBoolean writeFailed = new AtomicBoolean();
      // the writer blocks once neither side reads; closing the socket at the end releases it
      Thread writer = new Thread(() -> {
        try {
          while (!Thread.currentThread().isInterrupted()) {
            s.sendText(Haip.message(ref + "-" + sent.get(), session, transaction, sent.get() + 3, "USER", payload));
            sent.incrementAndGet();
            lastWrite.set(System.nanoTime());
          }
        } catch (IOException e) {
          writeFailed.set(true);
        }
      }, "soak-never-reads");
      writer.setDaemon(true);
      long t0 = System.nanoTime();
      writer.start();
      while (!writeFailed.get() && System.nanoTime() - t0 < Duration.ofSeconds(60).toNanos()
          && System.nanoTime() - lastWrite.get() < Duration.ofSeconds(10).toNanos()) {
        Thread.sleep(200);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (writeFailed.get()) {
        return new Outcome("NEVER_READS", true, sent.get() + " messages unread, cut after " + ms + " ms");
      }
      // writes stalled or 60 s passed: read what the node queued, up to its close (or find it still open)
      int code = s.closeCode(Duration.ofSeconds(30));
      writer.interrupt();
      return new Outcome("NEVER_READS", code != 0, sent.get() + " messages unread in " + ms + " ms, then reading: "
          + (code == 0 ? "still open" : code == SoakRawSocket.NO_CLOSE_FRAME ? "connection ended" : "close " + code));
    }
  }

  private static void quietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
