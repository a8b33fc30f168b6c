package io.switchboard.bench;

import io.switchboard.bench.MonitorFrameScan.Kind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * A monitor-stream subscriber on {@code /ws}: subscribes to the driver's execution and reads each frame's bytes
 * ({@link MonitorFrameScan}, no String, no JSON tree). The frames that report a driver MESSAGE are timed from that
 * message's send: its {@code log} in names it ({@code bmon-<n>}), and its {@code log} out is the next {@code log}
 * out on the socket (the hub relays an execution's frames to a socket in order). Every frame is counted by kind; a
 * {@code log} in that repeats or goes back is a duplicate, one that skips driver messages after the first it got counts the
 * skipped ones as gaps, and a second {@code log} out for one {@code log} in is a duplicate.
 */
final class Subscriber {
  final Worker w;
  private ClientWebSocket ws;
  boolean ready;
  private boolean connected;
  /** The driver message of the last {@code log} in, its send time, and the {@code log} outs since it. */
  private long lastIn;
  private long lastInSent;
  private int outsSinceIn;

  Subscriber(Worker w) {
    this.w = w;
  }

  void open(URI url, String executionId) {
    w.pendingConnects++;
    ws = w.nextClient().webSocket();
    ws.frameHandler(this::onFrame);
    ws.exceptionHandler(e -> { });
    ws.closeHandler(v -> {
      if (ready && w.phase != Worker.Phase.DONE) {
        w.stats.error("SUBSCRIBER_CLOSED");
      }
      ready = false;
    });
    ws.connect(new WebSocketConnectOptions().setHost(url.getHost()).setPort(url.getPort() < 0 ? 80 : url.getPort())
        .setURI(url.getRawPath()).setTimeout(30_000)).onComplete(ar -> {
          w.pendingConnects--;
          if (ar.failed()) {
            w.stats.error("SUBSCRIBER_" + Session.connectCode(ar.cause()));
          } else {
            connected = true;
            ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("executionId", executionId).encode());
          }
        });
  }

  private void onFrame(WebSocketFrame f) {
    if (f.type() != WebSocketFrameType.TEXT && f.type() != WebSocketFrameType.CONTINUATION) {
      return;
    }
    if (f.type() == WebSocketFrameType.CONTINUATION || !f.isFinal()) {
      w.stats.error("SUBSCRIBER_FRAGMENTED_FRAME");
      return;
    }
    long now = System.nanoTime();
    Buffer b = f.binaryData();
    Kind kind = MonitorFrameScan.kind(b);
    if (!ready) {
      if (kind == Kind.SUBSCRIBED) {
        ready = true;
        w.stats.subscribersReady++;
      } else if (kind == Kind.ERROR) {
        w.stats.error("SUBSCRIBE_ERROR");
      }
      return;
    }
    long sent = 0;
    if (kind == Kind.LOG_IN) {
      long n = MonitorFrameScan.driverMessage(b);
      if (n > 0) {
        if (n <= lastIn) {
          w.stats.monitorDuplicates++;
        } else if (lastIn > 0) {
          w.stats.monitorGaps += n - lastIn - 1;
        }
        lastIn = n;
        lastInSent = w.shared.driverSend(n);
        outsSinceIn = 0;
        sent = lastInSent;
      }
    } else if (kind == Kind.LOG_OUT && lastIn > 0) {
      if (++outsSinceIn > 1) {
        w.stats.monitorDuplicates++;
      } else {
        sent = lastInSent;
      }
    }
    if (now >= w.measureStart && now < w.measureEnd) {
      w.stats.monitorByKind[kind.ordinal()]++;
      if (sent != 0) {
        w.stats.monitorFrames++;
        w.monitorUs.recordValue(Math.max(0, (now - sent) / 1000));
      }
    }
  }

  void close() {
    if (connected && !ws.isClosed()) {
      ws.close();
    }
  }
}
