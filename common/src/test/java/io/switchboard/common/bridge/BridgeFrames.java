package io.switchboard.common.bridge;

import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/** A raw TCP bridge client for tests: 4-byte big-endian length, then JSON, both ways. */
final class BridgeFrames implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  BridgeFrames(String host, int port) throws IOException {
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  void send(JsonObject frame) throws IOException {
    sendRaw(frame.encode().getBytes(StandardCharsets.UTF_8));
  }

  void sendRaw(byte[] json) throws IOException {
    out.writeInt(json.length);
    out.write(json);
    out.flush();
  }

  /** Only a length prefix, announcing {@code length} bytes that never come. */
  void sendLength(int length) throws IOException {
    out.writeInt(length);
    out.flush();
  }

  /** The next frame that matches, skipping others; fails after {@code timeout}. */
  JsonObject next(Duration timeout, Predicate<JsonObject> match) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      try {
        int length = in.readInt();
        byte[] b = new byte[length];
        in.readFully(b);
        JsonObject f = new JsonObject(new String(b, StandardCharsets.UTF_8));
        if (match.test(f)) {
          return f;
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no matching frame within " + timeout.toMillis() + " ms");
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("no matching frame within " + timeout.toMillis() + " ms");
      }
    }
  }

  /** Whether the server closed the connection within {@code timeout} (frames before the end are skipped). */
  boolean closedWithin(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() - deadline < 0) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (in.read() < 0) {
          return true;
        }
      }
      return false;
    } catch (EOFException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  static JsonObject err(JsonObject f) {
    return "err".equals(f.getString("type")) ? f : null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
