package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A stand-in OTLP/HTTP collector for the tracing cost bench (bench/tracing-cost.sh): takes every POST, answers 200
 * with an empty export response (a valid, empty protobuf message), keeps nothing. The nodes pay the full cost of
 * exporting; the sink's own cost is its process's, not theirs.
 */
@Command(name = "otlp-sink", mixinStandardHelpOptions = true,
    description = "An OTLP/HTTP endpoint that accepts and discards spans (for bench/tracing-cost.sh).")
public final class OtlpSinkCommand implements Callable<Integer> {
  @Option(names = "--port", description = "port (default ${DEFAULT-VALUE})")
  int port = 4318;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    LongAdder requests = new LongAdder();
    LongAdder bytes = new LongAdder();
    vertx.createHttpServer().requestHandler(req -> req.body().onComplete(ar -> {
      requests.increment();
      if (ar.succeeded()) {
        bytes.add(ar.result().length());
      }
      req.response().putHeader("content-type", "application/x-protobuf").end(Buffer.buffer());
    })).listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    System.err.println("otlp-sink listening on 127.0.0.1:" + port);
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("otlp-sink: " + requests.sum() + " exports, " + bytes.sum() + " bytes");
      vertx.close();
      done.countDown();
    }));
    done.await();
    return 0;
  }
}
