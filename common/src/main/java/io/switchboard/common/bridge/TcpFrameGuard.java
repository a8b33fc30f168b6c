package io.switchboard.common.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Netty handler on each TCP bridge connection, just before Vert.x's own, that hands the bridge only whole frames
 * (a 4-byte big-endian length, then that many bytes of JSON) it may read (docs/operations.md, Bridges):
 * <ul>
 *   <li>a length above {@code maxMessageBytes} (or below zero) gets an error frame {@code frame_too_large} and the
 *       connection is closed, without buffering the frame;</li>
 *   <li>a frame that is not a JSON object gets {@code invalid_json} and is dropped;</li>
 *   <li>frames above the socket's rate get {@code rate_limited} and are dropped; after {@code rateLimitCloseAfter}
 *       refusals within a second the connection is closed;</li>
 *   <li>while the outbound buffer is above {@code writeQueueMaxBytes} (Netty's high-water mark) writes are dropped;
 *       when it stays there for {@code slowConsumerGrace} the connection is closed.</li>
 * </ul>
 * Each case is counted in {@link BridgeMetrics}. Runs on the connection's event loop, which owns its fields.
 */
final class TcpFrameGuard extends ChannelDuplexHandler {
  static final String NAME = "switchboardBridgeGuard";

  private final BridgeSettings settings;
  private final BridgeMetrics metrics;
  /** Gives back the connection's place in {@link BridgeSockets}; run once, when the connection ends. */
  private Runnable onEnd;
  private final SocketBudget budget = new SocketBudget();
  private ByteBuf pending;
  private boolean closing;
  private ScheduledFuture<?> slowCheck;

  TcpFrameGuard(BridgeSettings settings, BridgeMetrics metrics, Runnable onEnd) {
    this.settings = settings;
    this.metrics = metrics;
    this.onEnd = onEnd;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    int high = Math.max(2, settings.writeQueueMaxBytes());
    ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    release();
    if (onEnd != null) {
      onEnd.run();
      onEnd = null;
    }
    super.channelInactive(ctx);
  }

  private void release() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
    if (slowCheck != null) {
      slowCheck.cancel(false);
      slowCheck = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closing) {
      in.release();
      return;
    }
    if (pending == null) {
      pending = ctx.alloc().buffer(Math.max(256, in.readableBytes()));
    }
    pending.writeBytes(in);
    in.release();
    while (!closing && pending.readableBytes() >= 4) {
      int length = pending.getInt(pending.readerIndex());
      if (length < 0 || length > settings.maxMessageBytes()) {
        metrics.error(BridgeMetrics.Reason.TOO_LARGE);
        cut(ctx, "frame_too_large");
        return;
      }
      if (pending.readableBytes() < 4 + length) {
        break;
      }
      ByteBuf frame = pending.readRetainedSlice(4 + length);
      forward(ctx, frame, length);
    }
    if (pending != null) {
      if (pending.readableBytes() == 0) {
        pending.release();
        pending = null;
      } else {
        pending.discardReadBytes();
      }
    }
  }

  private void forward(ChannelHandlerContext ctx, ByteBuf frame, int length) {
    SocketBudget.Rate rate = budget.take(System.currentTimeMillis(), settings.rateLimit(), settings.rateLimitCloseAfter());
    if (rate != SocketBudget.Rate.ALLOW) {
      frame.release();
      metrics.error(BridgeMetrics.Reason.RATE_LIMITED);
      if (rate == SocketBudget.Rate.CLOSE) {
        cut(ctx, "rate_limited");
      } else {
        ctx.writeAndFlush(errorFrame("rate_limited"));
      }
      return;
    }
    String text = frame.toString(frame.readerIndex() + 4, length, StandardCharsets.UTF_8);
    try {
      new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      frame.release();
      metrics.error(BridgeMetrics.Reason.MALFORMED);
      ctx.writeAndFlush(errorFrame("invalid_json"));
      return;
    }
    ctx.fireChannelRead(frame);
  }

  /** Sends an error frame, then closes; nothing more is read. */
  private void cut(ChannelHandlerContext ctx, String message) {
    closing = true;
    release();
    ctx.writeAndFlush(errorFrame(message)).addListener(f -> ctx.close());
  }

  static ByteBuf errorFrame(String message) {
    return Unpooled.wrappedBuffer(errorBytes(message));
  }

  /** The bridge's error frame {@code {"type":"err","message":...}}, length prefix included. */
  static byte[] errorBytes(String message) {
    byte[] json = new JsonObject().put("type", "err").put("message", message).encode().getBytes(StandardCharsets.UTF_8);
    return Unpooled.buffer(4 + json.length).writeInt(json.length).writeBytes(json).array();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (!ctx.channel().isWritable()) {
      ReferenceCountUtil.release(msg);
      promise.trySuccess();
      watchSlow(ctx);
      return;
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      budget.queueFull(false, System.currentTimeMillis(), settings.slowConsumerGraceMs());
      if (slowCheck != null) {
        slowCheck.cancel(false);
        slowCheck = null;
      }
    } else {
      watchSlow(ctx);
    }
    super.channelWritabilityChanged(ctx);
  }

  /** Starts the slow-consumer clock, and cuts the connection when the buffer is still full after the grace. */
  private void watchSlow(ChannelHandlerContext ctx) {
    long now = System.currentTimeMillis();
    if (budget.queueFull(true, now, settings.slowConsumerGraceMs())) {
      slowConsumer(ctx);
      return;
    }
    if (slowCheck == null) {
      slowCheck = ctx.executor().schedule(() -> {
        slowCheck = null;
        if (!ctx.channel().isWritable()) {
          slowConsumer(ctx);
        }
      }, Math.max(1, settings.slowConsumerGraceMs()), TimeUnit.MILLISECONDS);
    }
  }

  private void slowConsumer(ChannelHandlerContext ctx) {
    if (closing) {
      return;
    }
    closing = true;
    metrics.error(BridgeMetrics.Reason.SLOW_CONSUMER);
    release();
    ctx.close();
  }
}
