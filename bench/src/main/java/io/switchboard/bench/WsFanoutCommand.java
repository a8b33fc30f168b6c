package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fan-out of a monitor-stream topic (docs/monitor.md): {@code --subscribers} {@code /ws} sockets subscribe to
 * {@code --topic} (default {@code stats}) on a hub node or on {@code raw-broadcast}; for each of the next
 * {@code --publishes} frames it prints how long the frame took to reach the last subscriber, from the
 * {@code timestamp} inside the frame's {@code data} (the publisher's clock: ClusterStats' own timestamp on a hub),
 * and the spread between the first and the last arrival. Sockets are spread over 127.0.0.1..N ({@code --sources}).
 */
@Command(name = "ws-fanout", mixinStandardHelpOptions = true,
    description = "Time for one topic frame to reach N /ws subscribers (until the last one has it).")
public final class WsFanoutCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1")
  String host;
  @Option(names = "--port", required = true, description = "the node's (or raw-broadcast's) HTTP port")
  int port;
  @Option(names = "--topic", defaultValue = "stats")
  String topic;
  @Option(names = "--subscribers", defaultValue = "10000")
  int subscribers;
  @Option(names = "--publishes", defaultValue = "10", description = "frames to time once every subscriber is subscribed")
  int publishes;
  @Option(names = "--sources", defaultValue = "4", description = "source addresses 127.0.0.1 .. 127.0.0.N, used in turn")
  int sources;
  @Option(names = "--threads", description = "client event loops (default: cores)")
  int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
  @Option(names = "--max-pending-connects", defaultValue = "256")
  int maxPending;
  @Option(names = "--json", description = "write the result as JSON to this file")
  Path json;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads).setPreferNativeTransport(true));
    List<WebSocketClient> clients = new ArrayList<>();
    for (int i = 1; i <= Math.max(1, sources); i++) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subscribers + 16)
          .setConnectTimeout(30_000).setLocalAddress("127.0.0." + i).setShared(false)
          .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22)));
    }
    FanoutTally tally = new FanoutTally();
    CountDownLatch subscribed = new CountDownLatch(subscribers);
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    AtomicInteger pending = new AtomicInteger();
    AtomicLong frameBytes = new AtomicLong();
    String request = new JsonObject().put("type", "subscribe").put("topic", topic).encode();
    List<ClientWebSocket> sockets = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < subscribers; i++) {
      while (pending.get() > maxPending) {
        TimeUnit.MILLISECONDS.sleep(2);
      }
      pending.incrementAndGet();
      ClientWebSocket ws = clients.get(i % clients.size()).webSocket();
      sockets.add(ws);
      boolean[] first = {true};
      ws.textMessageHandler(text -> {
        long nanos = System.nanoTime();
        long millis = System.currentTimeMillis();
        if (first[0]) {
          if (text.contains("\"subscribed\"")) {
            first[0] = false;
            subscribed.countDown();
          }
          return;
        }
        JsonObject f = new JsonObject(text);
        if (topic.equals(f.getString("topic")) && f.getValue("data") instanceof JsonObject data) {
          frameBytes.set(text.length());
          tally.arrived(data.getLong("timestamp", 0L), nanos, millis);
        }
      });
      ws.exceptionHandler(e -> { });
      ws.closeHandler(v -> closed.incrementAndGet());
      ws.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws").setTimeout(60_000))
          .onComplete(ar -> {
            pending.decrementAndGet();
            if (ar.succeeded()) {
              ws.writeTextMessage(request);
            } else {
              failed.incrementAndGet();
            }
          });
    }
    if (!subscribed.await(180, TimeUnit.SECONDS)) {
      System.out.printf("only %d of %d subscribers subscribed (%d failed to connect, %d closed)%n",
          subscribers - subscribed.getCount(), subscribers, failed.get(), closed.get());
      vertx.close();
      return 1;
    }
    long openMs = (System.nanoTime() - t0) / 1_000_000;
    long start = System.currentTimeMillis();
    tally.clear();
    tally.await(start, subscribers, publishes, System.nanoTime() + TimeUnit.SECONDS.toNanos(60L + publishes * 10L));
    System.out.printf("subscribers %d on :%d/ws topic %s, sources %d, subscribed after %d ms, closed %d, frame %d bytes%n",
        subscribers, port, topic, clients.size(), openMs, closed.get(), frameBytes.get());
    JsonObject r = tally.report(start, publishes, System.out).put("scenario", "ws-fanout").put("port", port)
        .put("topic", topic).put("subscribers", subscribers).put("sources", clients.size()).put("openMs", openMs)
        .put("closed", closed.get()).put("failed", failed.get()).put("frameBytes", frameBytes.get())
        .put("timestamp", System.currentTimeMillis());
    if (json != null) {
      Files.writeString(json, r.encodePrettily() + "\n");
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return 0;
  }
}
