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
 */
record SharedFrame(String text, String coalesceKey, ByteBuf bytes) {
  /** Larger frames go through the WebSocket's own message path, which splits them into frames. */
  private static final int SINGLE_FRAME_MAX = 65_536;

  SharedFrame(String text, String coalesceKey) {
    this(text, coalesceKey, Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8))));
  }

  /** Bytes on the wire, without the WebSocket header. */
  int length() {
    return bytes.readableBytes();
  }

  /** Writes the frame as one text message (on the socket's loop); a closed socket fails the future. */
  Future<Void> writeTo(ServerWebSocket ws) {
    if (bytes.readableBytes() > SINGLE_FRAME_MAX) {
      return ws.isClosed() ? Future.failedFuture("closed") : ws.writeTextMessage(text);
    }
    return ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes.duplicate(), true));
  }
}
