package io.switchboard.common.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a new HTTP TLS key and certificate once their files change (docs/operations.md, "Running it in the open"):
 * every {@code http.tls.reloadInterval} a timer compares the files' modification times and sizes with the pair in
 * use; on a change it reads both, checks that the key is the certificate's, and hands them to every HTTP server instance ({@link HttpServer#updateSSLOptions}),
 * which applies them to new connections. A pair that does not load (a half-written file, a key that does not match)
 * keeps the old one in service, is logged, and is tried again at the next change. Counted in
 * {@code switchboard_tls_reloads_total{result="ok"|"failed"}}. The timer's context owns {@link #current}.
 */
public final class TlsReloader {
  private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);

  private final Vertx vertx;
  private final Supplier<List<HttpServer>> servers;
  private final Counter ok;
  private final Counter failed;
  private PemPair current;
  /** The version of the files that last failed to load: not tried again until the files change once more. */
  private PemPair.Stamp failedStamp;
  private boolean busy;

  private TlsReloader(Vertx vertx, PemPair initial, Supplier<List<HttpServer>> servers, MeterRegistry registry) {
    this.vertx = vertx;
    this.current = initial;
    this.servers = servers;
    this.ok = Counter.builder("switchboard.tls.reloads").tag("result", "ok")
        .description("HTTP TLS key and certificate reloads after their files changed").register(registry);
    this.failed = Counter.builder("switchboard.tls.reloads").tag("result", "failed")
        .description("HTTP TLS key and certificate reloads after their files changed").register(registry);
  }

  /** Starts watching; returns the timer id (0 when the interval is 0 and nothing is watched). */
  public static long start(Vertx vertx, HttpTls tls, PemPair initial, Supplier<List<HttpServer>> servers, MeterRegistry registry) {
    if (tls.reloadIntervalMs() <= 0) {
      return 0;
    }
    TlsReloader r = new TlsReloader(vertx, initial, servers, registry);
    return vertx.setPeriodic(tls.reloadIntervalMs(), id -> r.check());
  }

  /** What one look at the files found: nothing new, a new pair that loads, or a new version that does not. */
  private record Look(PemPair next, PemPair.Stamp failed, Exception failure) {}

  private void check() {
    if (busy) {
      return;
    }
    busy = true;
    PemPair in = current;
    PemPair.Stamp skip = failedStamp;
    vertx.executeBlocking(() -> look(in, skip), false)
        .compose(look -> {
          if (look.failure() != null) {
            failedStamp = look.failed();
            return Future.failedFuture(look.failure());
          }
          return look.next() == null ? Future.succeededFuture()
              : apply(look.next()).onFailure(e -> failedStamp = look.next().stamp());
        })
        .onComplete(ar -> {
          busy = false;
          if (ar.failed()) {
            failed.increment();
            LOG.warn("the TLS key or certificate in {} / {} changed but could not be loaded ({}); the previous pair stays in service",
                in.certPath(), in.keyPath(), ar.cause().getMessage());
          }
        });
  }

  /** Reads the files when they differ from {@code in} and from the version that last failed. Blocking. */
  private Look look(PemPair in, PemPair.Stamp skip) {
    PemPair next = null;
    try {
      PemPair.Stamp now = PemPair.Stamp.of(in.certPath(), in.keyPath());
      if (now.equals(in.stamp()) || now.equals(skip)) {
        return new Look(null, null, null);
      }
      next = PemPair.read(in.certPath(), in.keyPath());
      next.checkMatches(vertx);
      return new Look(next, null, null);
    } catch (Exception e) {
      return new Look(null, next == null ? null : next.stamp(), e);
    }
  }

  private Future<Void> apply(PemPair next) {
    ServerSSLOptions ssl = new ServerSSLOptions().setKeyCertOptions(next.options());
    List<Future<Boolean>> updates = new ArrayList<>();
    for (HttpServer s : servers.get()) {
      updates.add(s.updateSSLOptions(ssl, true));
    }
    return Future.all(updates).map(x -> {
      current = next;
      ok.increment();
      LOG.info("TLS key and certificate reloaded from {} and {}", next.certPath(), next.keyPath());
      return null;
    });
  }

  /** Reads the pair once at start-up. */
  public static PemPair load(HttpTls tls) throws IOException {
    return PemPair.read(tls.certPath(), tls.keyPath());
  }
}
