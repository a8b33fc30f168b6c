package io.switchboard.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The soak's hostile clients' socket: a WebSocket spoken byte by byte on a plain {@link Socket}, so it can send
 * what a library would not (oversize frames, invalid UTF-8, pings without reading). Client frames are masked.
 */
final class SoakRawSocket implements AutoCloseable {
  static final int TEXT = 0x1;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  /** What {@link #closeCode} reports when the connection ended without a close frame. */
  static final int NO_CLOSE_FRAME = 1006;

  final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  /** The status code of the upgrade answer. */
  final int status;
  /** The code of the close frame {@link #readText} stopped at; 0 before one, 1006 at an end without one. */
  volatile int closedWith;

  private SoakRawSocket(Socket socket, int status) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.status = status;
  }

  /** A TCP connection from {@code local} to 127.0.0.1:port, upgraded on {@code path} (status in {@link #status}). */
  static SoakRawSocket upgrade(InetAddress local, int port, String path) throws IOException {
    Socket s = connect(local, port);
    try {
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      String key = Base64.getEncoder().encodeToString(nonce);
      String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      String head = readHead(s);
      return new SoakRawSocket(s, Integer.parseInt(head.split(" ", 3)[1]));
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e instanceof IOException io ? io : new IOException("bad upgrade answer", e);
    }
  }

  static Socket connect(InetAddress local, int port) throws IOException {
    Socket s = new Socket();
    try {
      s.bind(new InetSocketAddress(local, 0));
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      s.setSoTimeout(5_000);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private static String readHead(Socket s) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    var in = s.getInputStream();
    while (b.size() < 16_384) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed during the upgrade answer");
      }
      b.write(c);
      String t = b.toString(StandardCharsets.US_ASCII);
      if (t.endsWith("\r\n\r\n")) {
        return t;
      }
    }
    throw new IOException("upgrade answer head too long");
  }

  /** A masked frame: FIN set, this opcode and payload. */
  static byte[] frame(int opcode, byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(payload.length + 14);
    b.write(0x80 | opcode);
    int len = payload.length;
    if (len < 126) {
      b.write(0x80 | len);
    } else if (len < 65_536) {
      b.write(0x80 | 126);
      b.write(len >>> 8);
      b.write(len);
    } else {
      b.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        b.write((int) ((long) len >>> shift));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    b.writeBytes(mask);
    for (int i = 0; i < len; i++) {
      b.write(payload[i] ^ mask[i & 3]);
    }
    return b.toByteArray();
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void sendText(String text) throws IOException {
    write(frame(TEXT, text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The next text frame's payload within the socket timeout, skipping other frames; null at a close or the end. */
  String readText() throws IOException {
    while (true) {
      int b0 = in.read();
      if (b0 < 0) {
        closedWith = NO_CLOSE_FRAME;
        return null;
      }
      int b1 = in.readUnsignedByte();
      long len = b1 & 0x7f;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] p = new byte[(int) len];
      in.readFully(p);
      int op = b0 & 0x0f;
      if (op == CLOSE) {
        closedWith = p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005;
        return null;
      }
      if (op == TEXT) {
        return new String(p, StandardCharsets.UTF_8);
      }
    }
  }

  /**
   * Reads until the server's close frame or the end of the connection, for at most {@code timeout}: the close
   * code, {@link #NO_CLOSE_FRAME} when the connection ended without one, 0 when it was still open.
   */
  int closeCode(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    try {
      socket.setSoTimeout(1_000);
      while (System.nanoTime() < end) {
        int b0;
        try {
          b0 = in.read();
        } catch (SocketTimeoutException e) {
          continue;
        }
        if (b0 < 0) {
          return NO_CLOSE_FRAME;
        }
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
          len = in.readUnsignedShort();
        } else if (len == 127) {
          len = in.readLong();
        }
        byte[] p = new byte[(int) Math.min(len, 1 << 24)];
        in.readFully(p);
        if ((b0 & 0x0f) == CLOSE) {
          return p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005;
        }
      }
      return 0;
    } catch (IOException e) {
      return NO_CLOSE_FRAME;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
