package io.switchboard.hub.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;

/**
 * The connection-level guard of one server WebSocket, a Netty handler just before Vert.x's own: it sees every
 * decoded (and inflated) frame before Vert.x answers pings or hands frames to the session.
 * <ul>
 *   <li>Control frames (ping, pong, close) draw from a token bucket of {@code controlFrameRate} per second; the
 *       first one over it trips the guard and {@link Listener#controlFlood()} is called.</li>
 *   <li>A ping that arrives while the socket's outbound buffer is above its high-water mark is dropped: no pong is
 *       queued for a peer that does not read. When pings have been dropped for {@code slowConsumerGrace} (drops less
 *       than that apart), the guard trips and {@link Listener#notReading()} is called.</li>
 *   <li>Decoder failures become calls instead of a connection reset: a frame over the frame limit or a frame that
 *       inflates past the inflation limit ({@link Listener#tooLarge()}), invalid UTF-8 found by the optional
 *       validator ({@link Listener#invalidUtf8()}), any other broken frame ({@link Listener#protocolError()}).
 *       After a frame-level failure the rest of the input is read and discarded, not decoded.</li>
 * </ul>
 * Once tripped, only close frames still pass (so the close handshake can finish); everything else is released.
 * {@link #dropAfter(long)} bounds how long a closing socket may stay open. Runs on the channel's event loop; the
 * listener is called there, synchronously.
 */
public final class WebSocketGuard extends ChannelInboundHandlerAdapter {
  /** What the guard reports; each at most once per kind that trips it. Called on the channel's event loop. */
  public interface Listener {
    void controlFlood();

    void notReading();

    void tooLarge();

    void invalidUtf8();

    void protocolError();
  }

  static final String NAME = "switchboardWebSocketGuard";
  private static final String DISCARD = "switchboardDiscard";
  private static final String UTF8 = "switchboardUtf8";

  private final int controlFrameRate;
  /** The control-frame budget, made at the first control frame (full, as it would be then had it been made earlier). */
  private RateLimiter control;
  private final Listener listener;
  private ChannelHandlerContext ctx;
  private boolean tripped;
  private final long graceNanos;
  private long droppingSince;
  private long lastDrop;

  private WebSocketGuard(int controlFrameRate, long slowConsumerGraceMs, Listener listener) {
    this.controlFrameRate = controlFrameRate;
    this.graceNanos = Math.max(1, slowConsumerGraceMs) * 1_000_000L;
    this.listener = listener;
  }

  /**
   * Puts a guard into the pipeline of a server WebSocket's {@code channel} (and, with {@code validateUtf8}, a UTF-8
   * validator before it), and takes the HTTP idle-timeout handler out: a WebSocket's liveness is the session's ping
   * and idle timeout. Call on the socket's event loop, before frames are handled.
   */
  public static WebSocketGuard install(Channel channel, int controlFrameRate, long slowConsumerGraceMs, boolean validateUtf8,
      Listener listener) {
    WebSocketGuard guard = new WebSocketGuard(controlFrameRate, slowConsumerGraceMs, listener);
    if (channel == null) {
      return guard;
    }
    ChannelPipeline p = channel.pipeline();
    IdleStateHandler idle = p.get(IdleStateHandler.class);
    if (idle != null) {
      p.remove(idle);
    }
    p.addBefore("handler", NAME, guard);
    if (validateUtf8) {
      p.addBefore(NAME, UTF8, new Utf8FrameValidator(false));
    }
    return guard;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame f)) {
      if (tripped) {
        ReferenceCountUtil.release(msg);
      } else {
        ctx.fireChannelRead(msg);
      }
      return;
    }
    boolean close = f instanceof CloseWebSocketFrame;
    if (tripped && !close) {
      f.release();
      return;
    }
    if (close || f instanceof PingWebSocketFrame || f instanceof PongWebSocketFrame) {
      if (!tripped && control().acquire(System.nanoTime()) != RateLimiter.Decision.ALLOW) {
        tripped = true;
        f.release();
        listener.controlFlood();
        return;
      }
      if (f instanceof PingWebSocketFrame && !ctx.channel().isWritable()) {
        f.release();
        pingDropped(System.nanoTime());
        return;
      }
    }
    ctx.fireChannelRead(f);
  }

  private RateLimiter control() {
    if (control == null) {
      control = new RateLimiter(controlFrameRate, 1, System.nanoTime());
    }
    return control;
  }

  /**
   * A ping was dropped: the peer is not reading. Drops that follow each other within the grace form one episode; an
   * episode that has lasted the grace trips the guard.
   */
  private void pingDropped(long now) {
    if (droppingSince == 0 || now - lastDrop > graceNanos) {
      droppingSince = now;
    }
    lastDrop = now;
    if (now - droppingSince >= graceNanos) {
      trip(listener::notReading);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException c) {
      WebSocketCloseStatus status = c.closeStatus();
      if (WebSocketCloseStatus.INVALID_PAYLOAD_DATA.equals(status)) {
        // from the UTF-8 validator: the frame decoder itself is fine, so the close handshake can complete
        trip(listener::invalidUtf8);
      } else {
        discardInput();
        trip(WebSocketCloseStatus.MESSAGE_TOO_BIG.equals(status) ? listener::tooLarge : listener::protocolError);
      }
      return;
    }
    if (cause instanceof TooLongFrameException) {
      discardInput();
      trip(listener::tooLarge);
      return;
    }
    DecompressionException d = decompression(cause);
    if (d != null) {
      discardInput();
      trip(d.getCause() instanceof DataFormatException ? listener::protocolError : listener::tooLarge);
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private static DecompressionException decompression(Throwable t) {
    for (int i = 0; i < 4 && t != null; i++, t = t.getCause()) {
      if (t instanceof DecompressionException d) {
        return d;
      }
    }
    return null;
  }

  private void trip(Runnable report) {
    if (!tripped) {
      tripped = true;
      report.run();
    }
  }

  /** Everything read from now on is released before the frame decoder sees it. */
  private void discardInput() {
    ChannelPipeline p = ctx.pipeline();
    if (p.get(DISCARD) != null) {
      return;
    }
    ChannelHandlerContext decoder = p.context(WebSocketFrameDecoder.class);
    if (decoder != null) {
      p.addBefore(decoder.name(), DISCARD, new Discard());
    }
  }

  /** Whether the socket's outbound buffer is below its high-water mark. */
  public boolean writable() {
    return ctx == null || ctx.channel().isWritable();
  }

  /** Closes the TCP connection in {@code ms} unless it is closed by then (a peer that never answers a close). */
  public void dropAfter(long ms) {
    if (ctx == null) {
      return;
    }
    // closed from this handler, not through the channel: Vert.x's handler (after this one) would only wait for the
    // close it already started
    try {
      ctx.executor().schedule(() -> {
        if (ctx.channel().isOpen()) {
          ctx.close();
        }
      }, Math.max(1, ms), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // the event loop is shutting down and closes its channels itself
    }
  }

  /** Releases every inbound buffer: the input of a connection that is being closed for a broken frame. */
  private static final class Discard extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }
  }
}
