package io.switchboard.hub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import java.nio.charset.StandardCharsets;

/**
 * One monitor frame, encoded to UTF-8 once and written as is to every /ws socket it goes to: each write sends a
 * view of the same bytes (docs/monitor.md, Frames). Immutable; any context may write it to a socket it owns.
 *
 * @param text the frame's JSON text
 * @param coalesceKey frames with the same non-null key supersede each other in a lagging socket's queue (the
 *     latest cluster view of a topic), null for frames that each count (logs, events, alerts, acknowledgements)
 * @param bytes the text's UTF-8 bytes
 * @param wire the whole WebSocket text frame as a server sends it (header and {@code bytes}; server frames are not
 *     masked, so it is the same for every socket), or null when the text goes out in several frames
 */
record SharedFrame(String text, String coalesceKey, ByteBuf bytes, ByteBuf wire) {
  /** Larger frames go through the WebSocket's own message path, which splits them into frames. */
  static final int SINGLE_FRAME_MAX = 65_536;

  SharedFrame(String text, String coalesceKey) {
    this(text, coalesceKey, text.getBytes(StandardCharsets.UTF_8));
  }

  private SharedFrame(String text, String coalesceKey, byte[] utf8) {
    this(text, coalesceKey, Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(utf8)),
        utf8.length > SINGLE_FRAME_MAX ? null : Unpooled.unreleasableBuffer(wire(utf8)));
  }

  /** A final text frame (RFC 6455 5.2) holding {@code payload}: FIN and opcode 1, the length, no mask. */
  static ByteBuf wire(byte[] payload) {
    int n = payload.length;
    ByteBuf b = Unpooled.buffer(n + (n < 126 ? 2 : n <= 0xFFFF ? 4 : 10));
    b.writeByte(0x81);
    if (n < 126) {
      b.writeByte(n);
    } else if (n <= 0xFFFF) {
      b.writeByte(126).writeShort(n);
    } else {
      b.writeByte(127).writeLong(n);
    }
    return b.writeBytes(payload);
  }

  /** Bytes on the wire, without the WebSocket header. */
  int length() {
    return bytes.readableBytes();
  }

  /** Writes the frame as one text message through the WebSocket (on the socket's loop); a closed socket fails it. */
  Future<Void> writeTo(ServerWebSocket ws) {
    if (wire == null) {
      return ws.isClosed() ? Future.failedFuture("closed") : ws.writeTextMessage(text);
    }
    return ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes.duplicate(), true));
  }
}
