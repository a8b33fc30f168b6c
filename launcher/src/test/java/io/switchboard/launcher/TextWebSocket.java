package io.switchboard.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A JDK WebSocket client to a node on 127.0.0.1 that hands over whole text messages (binary ones as UTF-8 text) and
 * the close code.
 */
final class TextWebSocket {
  private TextWebSocket() {}

  /**
   * Connects to {@code path} (within 10 s); every complete text message goes to {@code onText}, on the client's
   * thread, and {@code closed} completes with the close code, or -1 when the connection failed.
   */
  static WebSocket open(int port, String path, Consumer<String> onText, CompletableFuture<Integer> closed) {
    StringBuilder partial = new StringBuilder();
    WebSocket.Listener l = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          String text = partial.toString();
          partial.setLength(0);
          if (partial.capacity() > 65_536) {
            partial.trimToSize(); // a large message once should not stay held
          }
          onText.accept(text);
        }
        w.request(1);
        return null;
      }

      /** A binary message is taken as UTF-8 text (the SockJS bridge's raw transport sends its JSON frames so). */
      @Override
      public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return onText(w, new String(bytes, StandardCharsets.UTF_8), last);
      }

      @Override
      public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        closed.complete(code);
        return null;
      }

      @Override
      public void onError(WebSocket w, Throwable error) {
        closed.complete(-1);
      }
    };
    return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + path), l).orTimeout(10, TimeUnit.SECONDS).join();
  }
}
