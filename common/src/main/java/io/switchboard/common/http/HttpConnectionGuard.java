package io.switchboard.common.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.metrics.NodeCounters;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A Netty handler on each HTTP/1.x connection, just before Vert.x's own: the request-head deadline and the count of
 * idle closes.
 * <ul>
 *   <li>While no request is outstanding (from the accept, and after each complete response on a kept-alive
 *       connection) a complete request head must arrive within {@code headTimeoutMs}; else the connection is closed.
 *       It is counted as {@code REQUEST_HEADER_TIMEOUT} when it never sent a request, or when bytes of a head arrived
 *       but not the whole head; a kept-alive connection that simply sent nothing more is closed uncounted (its
 *       client is done with it). {@link #readMark()}, at the head of the pipeline, sees those bytes. A request body
 *       and a response are not under this deadline (the idle timeout covers them); an informational response
 *       (100 Continue) does not end a request.</li>
 *   <li>Vert.x's idle-timeout event passing by is counted as {@code IDLE_TIMEOUT} (Vert.x then closes).</li>
 * </ul>
 * After a 101 response (a WebSocket upgrade) the handler takes itself and its read mark out: WebSockets have their
 * own deadlines.
 * Runs on the connection's event loop.
 */
final class HttpConnectionGuard extends ChannelDuplexHandler {
  static final String NAME = "switchboardHttpGuard";
  static final String READ_MARK = "switchboardHttpReadMark";

  private final long headTimeoutMs;
  private final NodeCounters counters;
  private ScheduledFuture<?> deadline;
  private long heads;
  private long responses;
  /** Bytes arrived since the deadline was armed: a request head has begun. */
  private boolean bytesSinceArmed;

  HttpConnectionGuard(long headTimeoutMs, NodeCounters counters) {
    this.headTimeoutMs = headTimeoutMs;
    this.counters = counters;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    super.channelInactive(ctx);
  }

  /** The handler to put first in the pipeline: it tells this guard that bytes arrived, before any decoding. */
  ChannelInboundHandlerAdapter readMark() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        bytesSinceArmed = true;
        super.channelRead(ctx, msg);
      }
    };
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      heads++;
      disarm();
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse r && HttpResponseStatus.SWITCHING_PROTOCOLS.equals(r.status())) {
      disarm();
      super.write(ctx, msg, promise);
      if (ctx.pipeline().get(READ_MARK) != null) {
        ctx.pipeline().remove(READ_MARK);
      }
      ctx.pipeline().remove(this);
      return;
    }
    boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof LastHttpContent && !informational && ++responses >= heads) {
      arm(ctx);
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      counters.error(ErrorCodes.IDLE_TIMEOUT);
    }
    super.userEventTriggered(ctx, evt);
  }

  private void arm(ChannelHandlerContext ctx) {
    if (headTimeoutMs <= 0) {
      return;
    }
    disarm();
    bytesSinceArmed = false;
    try {
      deadline = ctx.executor().schedule(() -> {
        deadline = null;
        if (ctx.channel().isOpen()) {
          if (heads == 0 || bytesSinceArmed) {
            counters.error(ErrorCodes.REQUEST_HEADER_TIMEOUT);
          }
          ctx.close();
        }
      }, headTimeoutMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // the event loop is shutting down and closes its channels itself
    }
  }

  private void disarm() {
    ScheduledFuture<?> d = deadline;
    if (d != null) {
      deadline = null;
      d.cancel(false);
    }
  }
}
