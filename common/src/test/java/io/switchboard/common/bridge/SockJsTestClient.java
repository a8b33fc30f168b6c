package io.switchboard.common.bridge;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A SockJS raw WebSocket client ({@code /eventbus/websocket}); {@code reading} false: it never reads. */
class SockJsTestClient implements AutoCloseable {
  final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  final WebSocket ws;

  SockJsTestClient(URI uri, boolean reading) throws Exception {
    ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(uri, new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public void onOpen(WebSocket webSocket) {
            if (reading) {
              webSocket.request(1);
            }
          }

          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              frames.add(new JsonObject(text.toString()));
              text.setLength(0);
            }
            webSocket.request(1);
            return null;
          }

          /** Vert.x's raw WebSocket transport writes the bridge's frames as binary messages. */
          @Override
          public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            return onText(webSocket, new String(b, StandardCharsets.UTF_8), last);
          }

          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
            closed.complete(code);
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
          }
        }).get(15, TimeUnit.SECONDS);
  }

  void send(String text) {
    ws.sendText(text, true).join();
  }

  void send(JsonObject frame) {
    send(frame.encode());
  }

  @Override
  public void close() {
    ws.abort();
  }
}
