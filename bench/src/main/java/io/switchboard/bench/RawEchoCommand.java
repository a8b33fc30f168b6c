package io.switchboard.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "raw-echo", mixinStandardHelpOptions = true,
    description = "A bare Vert.x WebSocket echo server answering HAIP-shaped frames: the ceiling to compare the hub with.")
public final class RawEchoCommand implements Callable<Integer> {
  @Option(names = "--port", description = "port (default ${DEFAULT-VALUE})")
  int port = 8090;
  @Option(names = "--instances", description = "server verticles (default: cores)")
  int instances = Math.max(1, Runtime.getRuntime().availableProcessors());

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    vertx.deployVerticle(() -> new RawEchoServer(port), new DeploymentOptions().setInstances(instances))
        .toCompletionStage().toCompletableFuture().get();
    System.err.println("raw-echo listening on " + port + " (" + instances + " instances); any path");
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close();
      done.countDown();
    }));
    done.await();
    return 0;
  }
}
