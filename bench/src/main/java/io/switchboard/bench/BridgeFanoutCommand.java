package io.switchboard.bench;

import io.switchboard.common.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fan-out of the SockJS event-bus bridge (docs/operations.md, Bridges): {@code --subscribers} raw WebSocket SockJS
 * clients ({@code /eventbus/websocket}) register for {@code switchboard.stats.cluster} on one node; for each of the
 * next {@code --publishes} cluster views it prints how long the view took to reach the last subscriber, from the
 * view's own {@code timestamp} (the publisher's clock, the same machine), and the spread between the first and the
 * last arrival. Source addresses may be spread over 127.0.0.x when one runs short of ports.
 */
@Command(name = "bridge-fanout", mixinStandardHelpOptions = true,
    description = "Time for one stats publish to reach N SockJS bridge subscribers (until the last one has it).")
public final class BridgeFanoutCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1")
  String host;
  @Option(names = "--port", required = true, description = "the node's HTTP port")
  int port;
  @Option(names = "--subscribers", defaultValue = "1000")
  int subscribers;
  @Option(names = "--publishes", defaultValue = "10", description = "cluster views to time once every subscriber is registered")
  int publishes;
  @Option(names = "--sources", defaultValue = "1", description = "source addresses 127.0.0.1 .. 127.0.0.N, used in turn")
  int sources;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    List<WebSocketClient> clients = new ArrayList<>();
    for (int i = 1; i <= Math.max(1, sources); i++) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subscribers + 16)
          .setConnectTimeout(30_000).setLocalAddress("127.0.0." + i).setShared(false)));
    }
    FanoutTally byView = new FanoutTally();
    CountDownLatch registered = new CountDownLatch(subscribers);
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    String register = new JsonObject().put("type", "register").put("address", Addresses.STATS_CLUSTER).encode();
    String ping = new JsonObject().put("type", "ping").encode();
    List<ClientWebSocket> sockets = new CopyOnWriteArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      ClientWebSocket ws = clients.get(i % clients.size()).webSocket();
      boolean[] first = {true};
      ws.handler((Buffer b) -> {
        long nanos = System.nanoTime();
        long millis = System.currentTimeMillis();
        JsonObject m = new JsonObject(b);
        JsonObject body = m.getJsonObject("body");
        if (body == null) {
          return;
        }
        if (first[0]) {
          first[0] = false;
          registered.countDown();
          return;
        }
        byView.arrived(body.getLong("timestamp", 0L), nanos, millis);
      });
      ws.closeHandler(v -> closed.incrementAndGet());
      ws.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/eventbus/websocket"))
          .onSuccess(v -> {
            sockets.add(ws);
            ws.writeTextMessage(register);
          })
          .onFailure(e -> failed.incrementAndGet());
    }
    // the bridge closes a socket that has not pinged within its ping timeout (10 s)
    long pinger = vertx.setPeriodic(5_000, t -> sockets.forEach(ws -> {
      if (!ws.isClosed()) {
        ws.writeTextMessage(ping);
      }
    }));
    if (!registered.await(120, TimeUnit.SECONDS)) {
      System.out.printf("only %d of %d subscribers registered (%d failed to connect, %d closed)%n",
          subscribers - registered.getCount(), subscribers, failed.get(), closed.get());
      vertx.close();
      return 1;
    }
    long start = System.currentTimeMillis();
    byView.clear();
    // wait for the views published after every subscriber had one, and a little for the last arrivals
    byView.await(start, subscribers, publishes, System.nanoTime() + TimeUnit.SECONDS.toNanos(60L + publishes * 10L));
    vertx.cancelTimer(pinger);
    System.out.printf("subscribers %d, sources %d, closed %d%n", subscribers, clients.size(), closed.get());
    byView.report(start, publishes, System.out);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return 0;
  }
}
