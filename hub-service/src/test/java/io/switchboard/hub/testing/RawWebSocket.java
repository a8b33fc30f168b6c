package io.switchboard.hub.testing;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare WebSocket client on a plain socket, for cases a library hides: a reader that stops reading (slow
 * consumer) with a small receive buffer. Frames are sent masked, unfragmented.
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

  public RawWebSocket(int port, String path, int receiveBuffer) throws IOException {
    socket = new Socket();
    socket.setReceiveBufferSize(receiveBuffer);
    socket.setSoTimeout(15_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    out = socket.getOutputStream();
    InputStream raw = socket.getInputStream();
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    out.write(req.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    // Read the response headers byte by byte up to the blank line.
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
    if (!head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head);
    }
    in = new DataInputStream(raw);
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
