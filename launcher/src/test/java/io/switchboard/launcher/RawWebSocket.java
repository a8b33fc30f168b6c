package io.switchboard.launcher;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * A WebSocket client written on a plain {@link Socket}, byte by byte, so that a test can do what no well-behaved
 * library does: write ping frames without reading, send a frame with a length over every limit, set RSV1 on a
 * hand-made deflate payload, or put invalid UTF-8 in a text frame. Client frames are masked (RFC 6455 5.3).
 * Reads use the socket's timeout; nothing here waits without a bound.
 */
final class RawWebSocket implements AutoCloseable {
  static final int OP_CONTINUATION = 0x0;
  static final int OP_TEXT = 0x1;
  static final int OP_BINARY = 0x2;
  static final int OP_CLOSE = 0x8;
  static final int OP_PING = 0x9;
  static final int OP_PONG = 0xA;
  /** What {@link #awaitClose} reports when the connection ended without a close frame (RFC 6455's 1006). */
  static final int ABNORMAL = 1006;

  final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  /** The upgrade answer's status code (101 when upgraded). */
  final int status;
  /** The upgrade answer's headers, names in lower case. */
  final Map<String, String> headers;

  private RawWebSocket(Socket socket, int status, Map<String, String> headers) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.status = status;
    this.headers = headers;
  }

  /** A received frame: its opcode, whether final, whether RSV1 was set, and its (unmasked) payload. */
  record Frame(int opcode, boolean fin, boolean rsv1, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** A close frame's status code; 1005 when it carries none. */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  /** Upgrades {@code path} on 127.0.0.1:port from 127.0.0.1. */
  static RawWebSocket connect(int port, String path) throws IOException {
    return connect(null, port, path, Map.of());
  }

  /**
   * Opens a TCP connection (from {@code local} when not null), sends the upgrade request with these extra headers
   * and reads the answer's head (5 s at most). The connection stays open whatever the status.
   */
  static RawWebSocket connect(InetAddress local, int port, String path, Map<String, String> extraHeaders) throws IOException {
    Socket s = new Socket();
    try {
      if (local != null) {
        s.bind(new InetSocketAddress(local, 0));
      }
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(5_000);
      StringBuilder req = new StringBuilder()
          .append("GET ").append(path).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n")
          .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
          .append("Sec-WebSocket-Key: ").append(key()).append("\r\n")
          .append("Sec-WebSocket-Version: 13\r\n");
      extraHeaders.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      req.append("\r\n");
      s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      String head = readHead(in);
      String[] lines = head.split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      int status = Integer.parseInt(statusLine[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int c = lines[i].indexOf(':');
        if (c > 0) {
          headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
      }
      return new RawWebSocket(s, status, headers);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A request header block, a fresh random Sec-WebSocket-Key. */
  static String key() {
    byte[] k = new byte[16];
    ThreadLocalRandom.current().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    while (b.size() < 16_384) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed during the upgrade answer: " + b.toString(StandardCharsets.US_ASCII));
      }
      b.write(c);
      matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : (c == '\r' ? 1 : 0);
      if (matched == 4) {
        return b.toString(StandardCharsets.US_ASCII);
      }
    }
    throw new IOException("upgrade answer head longer than 16 KiB");
  }

  /** One masked frame's bytes. */
  static byte[] frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
    int len = payload.length;
    int headLen = 2 + (len < 126 ? 0 : len < 65_536 ? 2 : 8) + 4;
    byte[] f = new byte[headLen + len];
    f[0] = (byte) ((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    int p = 2;
    if (len < 126) {
      f[1] = (byte) (0x80 | len);
    } else if (len < 65_536) {
      f[1] = (byte) (0x80 | 126);
      f[p++] = (byte) (len >>> 8);
      f[p++] = (byte) len;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f[p++] = (byte) ((long) len >>> (8 * i));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    System.arraycopy(mask, 0, f, p, 4);
    p += 4;
    for (int i = 0; i < len; i++) {
      f[p + i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return f;
  }

  /** Only a masked frame's head announcing {@code len} payload bytes, with mask key 0 (so the payload goes as is). */
  static byte[] headOnly(int opcode, long len) {
    byte[] f = new byte[2 + 8 + 4];
    f[0] = (byte) (0x80 | opcode);
    f[1] = (byte) (0x80 | 127);
    for (int i = 0; i < 8; i++) {
      f[2 + i] = (byte) (len >>> (8 * (7 - i)));
    }
    return f;
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void sendText(String text) throws IOException {
    write(frame(true, false, OP_TEXT, text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Reads one frame; null at EOF; SocketTimeoutException after {@code timeout} without a whole frame. */
  Frame readFrame(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = readByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = ((long) readByte() << 8) | readByte();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | readByte();
      }
    }
    byte[] mask = null;
    if ((b1 & 0x80) != 0) {
      mask = in.readNBytes(4);
    }
    if (len > 64L * 1024 * 1024) {
      throw new IOException("server frame of " + len + " bytes");
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length < len) {
      return null;
    }
    if (mask != null) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
    }
    return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, (b0 & 0x40) != 0, payload);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed inside a frame");
    }
    return b;
  }

  /**
   * Reads (and drops) frames until the server's close frame; returns its code, or {@link #ABNORMAL} when the
   * connection ended (EOF or reset) without one. An AssertionError when neither happened within {@code timeout}.
   */
  int awaitClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the server did not close the WebSocket within " + timeout);
        }
        Frame f = readFrame(Duration.ofNanos(left));
        if (f == null) {
          return ABNORMAL;
        }
        if (f.opcode() == OP_CLOSE) {
          return f.closeCode();
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server did not close the WebSocket within " + timeout);
    } catch (IOException e) {
      return ABNORMAL;
    }
  }

  /** Reads frames until a text frame satisfying {@code match}; null when the socket closed first or after the timeout. */
  Frame awaitText(Predicate<String> match, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Frame f;
      try {
        f = readFrame(Duration.ofNanos(left));
      } catch (SocketTimeoutException e) {
        return null;
      }
      if (f == null || f.opcode() == OP_CLOSE) {
        return f;
      }
      if (f.opcode() == OP_TEXT && match.test(f.text())) {
        return f;
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
