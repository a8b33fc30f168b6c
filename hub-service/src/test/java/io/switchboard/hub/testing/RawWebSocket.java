package io.switchboard.hub.testing;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare WebSocket client on a plain socket, for cases a library hides: a reader that stops reading (slow
 * consumer) with a small receive buffer, control-frame floods, frames with any opcode, bits, length or bytes, a
 * chosen 127.0.0.x source address. {@link #sendText} frames are masked and unfragmented.
 */
public final class RawWebSocket implements AutoCloseable {
  /** A received frame: opcode and payload. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String responseHead;

  public RawWebSocket(int port, String path, int receiveBuffer) throws IOException {
    this("127.0.0.1", port, path, receiveBuffer, "");
  }

  /**
   * Upgrades from source address {@code localHost} (any 127.0.0.x), with {@code extraHeaders} (each ending in CRLF)
   * added to the request. Throws with the response head when the upgrade is refused.
   */
  public RawWebSocket(String localHost, int port, String path, int receiveBuffer, String extraHeaders) throws IOException {
    socket = open(localHost, port, receiveBuffer);
    out = socket.getOutputStream();
    InputStream raw = socket.getInputStream();
    out.write(upgradeRequest(port, path, extraHeaders));
    out.flush();
    responseHead = readHead(raw);
    if (!responseHead.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + responseHead);
    }
    in = new DataInputStream(raw);
  }

  private static Socket open(String localHost, int port, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(receiveBuffer);
    s.setSoTimeout(15_000);
    s.setTcpNoDelay(true);
    s.bind(new InetSocketAddress(localHost, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return s;
  }

  private static byte[] upgradeRequest(int port, String path, String extraHeaders) {
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
        + extraHeaders + "\r\n";
    return req.getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads an HTTP response head byte by byte up to the blank line. */
  private static String readHead(InputStream raw) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = raw.read();
      if (b < 0) {
        throw new IOException("closed during upgrade: " + head);
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /**
   * An upgrade from {@code localHost} that is expected to be refused: the whole response, head and body (read up to
   * its Content-Length).
   */
  public static String refusedUpgrade(String localHost, int port, String path) throws IOException {
    try (Socket s = open(localHost, port, 65536)) {
      s.getOutputStream().write(upgradeRequest(port, path, ""));
      s.getOutputStream().flush();
      InputStream raw = s.getInputStream();
      String head = readHead(raw);
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = new DataInputStream(raw).readNBytes(length);
      return head + new String(body, StandardCharsets.UTF_8);
    }
  }

  public void soTimeout(int ms) throws IOException {
    socket.setSoTimeout(ms);
  }

  /** The server's 101 response head (to see the negotiated extensions). */
  public String responseHead() {
    return responseHead;
  }

  /**
   * Sends one frame as given: {@code rsv} is the three RSV bits (4 = RSV1, "compressed"), masked unless
   * {@code masked} is false.
   */
  public void sendFrame(int opcode, boolean fin, int rsv, byte[] data, boolean masked) throws IOException {
    out.write(frame(opcode, fin, rsv, data, masked));
    out.flush();
  }

  /** The bytes of one frame, for tests that write many at once. */
  public static byte[] frame(int opcode, boolean fin, int rsv, byte[] data, boolean masked) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(data.length + 14);
    f.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (data.length < 126) {
      f.write(maskBit | data.length);
    } else if (data.length < 65536) {
      f.write(maskBit | 126);
      f.write(data.length >>> 8);
      f.write(data.length);
    } else {
      f.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) data.length >>> (8 * i)));
      }
    }
    if (!masked) {
      f.write(data, 0, data.length);
      return f.toByteArray();
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask, 0, 4);
    for (int i = 0; i < data.length; i++) {
      f.write(data[i] ^ mask[i & 3]);
    }
    return f.toByteArray();
  }

  /** Writes bytes as they are (a frame header announcing more than follows, garbage). */
  public void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /**
   * Reads until the server's close frame and returns its code; -1 when the connection ended (or was reset) first.
   * Text frames read on the way are added to {@code texts}.
   */
  public int readUntilClose(List<String> texts) {
    try {
      while (true) {
        Frame f = read();
        if (f.opcode() == 8) {
          return f.closeCode();
        }
        if (f.opcode() == 1) {
          texts.add(f.text());
        }
      }
    } catch (IOException e) {
      return -1;
    }
  }

  /** Whether the server has ended the connection: a read sees end of stream or a reset within the socket timeout. */
  public boolean endedByServer() {
    try {
      while (in.read(new byte[8192]) >= 0) {
        // drain what was queued before the end
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  public void sendText(String text) throws IOException {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream f = new ByteArrayOutputStream(data.length + 14);
    f.write(0x81);
    if (data.length < 126) {
      f.write(0x80 | data.length);
    } else if (data.length < 65536) {
      f.write(0x80 | 126);
      f.write(data.length >>> 8);
      f.write(data.length);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) data.length >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask);
    for (int i = 0; i < data.length; i++) {
      f.write(data[i] ^ mask[i & 3]);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  public Frame read() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /** Reads text frames until one is a JSON object with this type. */
  public JsonObject readUntilType(String type) throws IOException {
    while (true) {
      Frame f = read();
      if (f.opcode() == 1) {
        JsonObject j = new JsonObject(f.text());
        if (type.equals(j.getString("type"))) {
          return j;
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closed
    }
  }
}
