package io.switchboard.bench;

import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * A monitor-stream subscriber on {@code /ws}: subscribes to the driver's execution and times each frame it is
 * sent about it. A frame is timed from the send of the driver MESSAGE it names (the driver's message ids are
 * {@code bmon-<n>}) or, when it names none, from the driver's latest send.
 */
final class Subscriber {
  final Worker w;
  private ClientWebSocket ws;
  boolean ready;
  private boolean connected;

  Subscriber(Worker w) {
    this.w = w;
  }

  void open(URI url, String executionId) {
    w.pendingConnects++;
    ws = w.nextClient().webSocket();
    ws.textMessageHandler(this::onText);
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

  private void onText(String text) {
    long now = System.nanoTime();
    if (!ready) {
      String type = Haip.sniffType(text);
      if ("subscribed".equals(type)) {
        ready = true;
        w.stats.subscribersReady++;
      } else if ("error".equals(type)) {
        w.stats.error("SUBSCRIBE_ERROR");
      }
      return;
    }
    long sent = sentOf(text);
    if (sent == 0) {
      return;
    }
    if (now >= w.measureStart && now < w.measureEnd) {
      w.stats.monitorFrames++;
      w.monitorUs.recordValue(Math.max(0, (now - sent) / 1000));
    }
  }

  private long sentOf(String text) {
    int i = text.indexOf("bmon-");
    if (i >= 0) {
      int j = i + 5;
      long n = 0;
      while (j < text.length() && Character.isDigit(text.charAt(j))) {
        n = n * 10 + (text.charAt(j++) - '0');
      }
      Long t = w.shared.driverSendNanos.get(n);
      if (t != null) {
        return t;
      }
    }
    return w.shared.lastDriverSend;
  }

  void close() {
    if (connected && !ws.isClosed()) {
      ws.close();
    }
  }
}
