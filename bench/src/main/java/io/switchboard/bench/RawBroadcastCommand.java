package io.switchboard.bench;

import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "raw-broadcast", mixinStandardHelpOptions = true,
    description = "A bare Vert.x broadcast server (one socket in, each frame encoded once and written to N /ws "
        + "subscribers): the fan-out ceiling to compare the hub's monitor stream with.")
public final class RawBroadcastCommand implements Callable<Integer> {
  @Option(names = "--port", description = "port (default ${DEFAULT-VALUE})")
  int port = 8091;
  @Option(names = "--instances", description = "server verticles (default: cores)")
  int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
  @Option(names = "--stats-interval", description = "period of the topic stats frame, 0 = none (default ${DEFAULT-VALUE})")
  String statsInterval = "1s";
  @Option(names = "--stats-bytes", description = "size of the topic stats frame (default ${DEFAULT-VALUE})")
  int statsBytes = 1500;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    RawBroadcastServer.Board board = new RawBroadcastServer.Board();
    long interval = SwitchboardConfig.parseDuration(statsInterval);
    for (int i = 0; i < instances; i++) {
      vertx.deployVerticle(new RawBroadcastServer(port, board, interval, statsBytes, i == 0))
          .toCompletionStage().toCompletableFuture().get();
    }
    System.err.println("raw-broadcast listening on " + port + " (" + instances + " instances): /ws monitor, HAIP elsewhere");
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close();
      done.countDown();
    }));
    done.await();
    return 0;
  }
}
