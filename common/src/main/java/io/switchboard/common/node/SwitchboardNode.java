package io.switchboard.common.node;

import io.switchboard.common.auth.AuthSettings;
import io.switchboard.common.auth.Authority;
import io.switchboard.common.bridge.BridgeMetrics;
import io.switchboard.common.bridge.BridgePolicy;
import io.switchboard.common.bridge.BridgeSettings;
import io.switchboard.common.bridge.BridgeSockets;
import io.switchboard.common.bridge.SockJsBridge;
import io.switchboard.common.bridge.TcpBridgeVerticle;
import io.switchboard.common.cluster.ClusterInfo;
import io.switchboard.common.cluster.NodeVertx;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.health.ClusterHealthProbe;
import io.switchboard.common.health.HealthRegistry;
import io.switchboard.common.health.NodeChecks;
import io.switchboard.common.health.NodeHealthReport;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.http.HttpServerVerticle;
import io.switchboard.common.http.HttpTls;
import io.switchboard.common.http.OriginPolicy;
import io.switchboard.common.http.PemPair;
import io.switchboard.common.http.TlsReloader;
import io.switchboard.common.http.HttpSettings;
import io.switchboard.common.http.DashboardRoutes;
import io.switchboard.common.http.NodeRoutes;
import io.switchboard.common.http.ProfilingSettings;
import io.switchboard.common.metrics.EventLoopMetrics;
import io.switchboard.common.metrics.NodeCounters;
import io.switchboard.common.metrics.NodeMetrics;
import io.switchboard.common.stats.NodeReporter;
import io.switchboard.common.tracing.NodeTracing;
import io.switchboard.common.tracing.TracingSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Switchboard node: Vert.x (clustered unless cluster.mode is none), the node's HTTP server with the
 * common routes, and the services it runs. Used by the launcher and by tests, which start several in one JVM.
 * Start order: cluster → context → services (they mount routes, register consumers) → HTTP listen → started.
 */
public final class SwitchboardNode {
  private static final Logger LOG = LoggerFactory.getLogger(SwitchboardNode.class);

  private final NodeContext context;
  private final List<String> httpDeployments = new CopyOnWriteArrayList<>();
  private final List<HttpServerVerticle> httpInstances = new CopyOnWriteArrayList<>();
  private final List<HttpServerVerticle> adminInstances = new CopyOnWriteArrayList<>();
  /** The timer that watches the HTTP TLS files; 0 when none. */
  private volatile long tlsTimer;
  private volatile int httpPort;
  private final AtomicBoolean stopping = new AtomicBoolean();
  /** Publishes this node's NodeReports (issue 4); started once the services are deployed. */
  private volatile NodeReporter reporter;
  /** Event-loop delay and blocked-thread warnings; set once Vert.x is built. */
  private volatile EventLoopMetrics eventLoops;

  private SwitchboardNode(NodeContext context) {
    this.context = context;
  }

  public NodeContext context() {
    return context;
  }

  public Vertx vertx() {
    return context.vertx();
  }

  public int httpPort() {
    return httpPort;
  }

  public String nodeId() {
    return context.nodeId();
  }

  /** The node name when {@code node.name} is empty: host name plus HTTP port. */
  public static String defaultName(int port) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return host + "-" + port;
  }

  public static Future<SwitchboardNode> start(SwitchboardConfig cfg, List<SwitchboardService> services) {
    return start(cfg, services, identityFor(cfg, services));
  }

  /** A fresh identity (new node id) for a node with this configuration and these services. */
  public static NodeIdentity identityFor(SwitchboardConfig cfg, List<SwitchboardService> services) {
    List<String> roles = new ArrayList<>();
    services.forEach(s -> roles.add(s.role()));
    String name = cfg.getString(ConfigKeys.NODE_NAME);
    if (name.isEmpty()) {
      name = defaultName(cfg.getInt(ConfigKeys.HTTP_PORT));
    }
    return NodeIdentity.create(name, roles, BuildInfo.version());
  }

  public static Future<SwitchboardNode> start(SwitchboardConfig cfg, List<SwitchboardService> services, NodeIdentity identity) {
    BridgeSettings bridgeSettings;
    HttpTls httpTls;
    PemPair httpPem;
    AuthSettings authSettings;
    try {
      bridgeSettings = BridgeSettings.from(cfg);
      authSettings = AuthSettings.from(cfg);
      OriginPolicy.from(cfg);
      ProfilingSettings.from(cfg);
      httpTls = HttpTls.from(cfg);
      httpPem = httpTls == null ? null : TlsReloader.load(httpTls);
    } catch (IOException e) {
      return Future.failedFuture(new ConfigException(ConfigKeys.HTTP_TLS_CERT_PATH,
          ConfigKeys.HTTP_TLS_CERT_PATH + " or " + ConfigKeys.HTTP_TLS_KEY_PATH + " could not be read"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    List<String> roles = identity.roles();
    NodeMetrics metrics = new NodeMetrics(identity);
    NodeCounters counters = new NodeCounters(metrics.registry(), identity.name());
    NodeTracing tracing;
    try {
      tracing = NodeTracing.start(TracingSettings.from(cfg), identity, metrics.registry());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    AtomicBoolean listening = new AtomicBoolean();
    AtomicBoolean started = new AtomicBoolean();
    // Completed from whatever thread finishes the start: after a failed start Vert.x is closed and its event
    // loops can no longer run callbacks, so the caller must not be tied to one of them.
    Promise<SwitchboardNode> result = Promise.promise();
    NodeVertx.create(cfg, metrics, identity.nodeId(),
        ClusterHealthProbe.memberAttributes(identity.nodeId(), identity.name(), roles), tracing).onComplete(builtAr -> {
      if (builtAr.failed()) {
        tracing.close(1000);
        result.fail(builtAr.cause());
        return;
      }
      NodeVertx.Built built = builtAr.result();
      Vertx vertx = built.vertx();
      if (httpPem != null) {
        try {
          httpPem.checkMatches(vertx);
        } catch (Exception e) {
          ConfigException err = new ConfigException(ConfigKeys.HTTP_TLS_KEY_PATH,
              ConfigKeys.HTTP_TLS_KEY_PATH + " is not the private key of the certificate in " + ConfigKeys.HTTP_TLS_CERT_PATH + " (" + e.getMessage() + ")");
          LOG.error("start-up failed: {}", err.getMessage());
          vertx.close().toCompletionStage().whenComplete((x, f) -> result.fail(err));
          return;
        }
      }
      Router router = Router.router(vertx);
      Authority authority;
      try {
        authority = new Authority(vertx, authSettings, metrics.registry());
      } catch (RuntimeException e) {
        LOG.error("start-up failed: {}", e.getMessage());
        vertx.close().toCompletionStage().whenComplete((x, err) -> result.fail(e));
        return;
      }
      warnIfOpen(cfg, authSettings);
      NodeContext ctx = new NodeContext(vertx, cfg, identity, router, metrics, counters,
          new HealthRegistry(vertx), new ShutdownState(), built.clusterManager(), authority, tracing);
      NodeRoutes.mount(router, ctx);
      if (DashboardRoutes.servedBy(roles)) {
        DashboardRoutes.mount(router);
      }
      BridgePolicy bridgePolicy = new BridgePolicy(bridgeSettings);
      BridgeSockets bridgeSockets = new BridgeSockets(bridgeSettings.maxSockets(), metrics.registry());
      if (bridgeSettings.sockJsEnabled()) {
        SockJsBridge.mount(router, vertx, bridgePolicy, new BridgeMetrics(metrics.registry(), "sockjs"), bridgeSockets,
            authority);
      }
      HttpSettings httpSettings = HttpSettings.from(cfg);
      HttpServerOptions httpOptions = new HttpServerOptions()
          .setHost(cfg.getString(ConfigKeys.HTTP_HOST))
          .setPort(cfg.getInt(ConfigKeys.HTTP_PORT))
          .setTcpNoDelay(true)
          // HTTP/1.1 only: with h2c on, Vert.x waits for a connection's first bytes before it sets the connection up,
          // so the request-head deadline could not start at the accept
          .setHttp2ClearTextEnabled(false)
          .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
          .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, httpSettings.idleTimeoutMs()))
          // how long a closing WebSocket waits for the peer's close frame (whole seconds, at least one)
          .setWebSocketClosingTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE,
              (cfg.getDurationMs(ConfigKeys.HUB_CLOSE_TIMEOUT) + 999) / 1000)))
          // The hub enforces hub.maxMessageBytes itself (ERROR MESSAGE_TOO_LARGE, close 1009): Vert.x's limits sit
          // above it so an oversized message reaches the hub instead of being dropped silently (hub-service docs/haip.md);
          // a frame above Vert.x's limit is failed by the hub's WebSocket guard, also with MESSAGE_TOO_LARGE and 1009.
          .setMaxWebSocketMessageSize((int) Math.min(Integer.MAX_VALUE, 2 * cfg.getBytes(ConfigKeys.HUB_MAX_MESSAGE_BYTES)))
          .setMaxWebSocketFrameSize((int) Math.min(Integer.MAX_VALUE, 2 * cfg.getBytes(ConfigKeys.HUB_MAX_MESSAGE_BYTES)))
          .setPerMessageWebSocketCompressionSupported(cfg.getBoolean(ConfigKeys.HUB_COMPRESSION))
          .setPerFrameWebSocketCompressionSupported(cfg.getBoolean(ConfigKeys.HUB_COMPRESSION))
          .setRegisterWebSocketWriteHandlers(false);
      if (httpPem != null) {
        httpOptions.setSsl(true).setKeyCertOptions(httpPem.options());
      }
      SwitchboardNode node = new SwitchboardNode(ctx);
      node.eventLoops = EventLoopMetrics.start(vertx, metrics.registry(),
          cfg.getDurationMs(ConfigKeys.METRICS_EVENT_LOOP_DELAY_INTERVAL));
      Future<?> chain = authority.start().compose(v -> NodeChecks.register(ctx, listening::get, started::get))
          .compose(v -> ClusterInfo.register(ctx))
          .compose(v -> NodeHealthReport.register(ctx));
      for (SwitchboardService s : services) {
        chain = chain.compose(v -> s.deploy(ctx).onSuccess(x -> LOG.info("service {} started", s.role())));
      }
      if (bridgeSettings.tcpPort() > 0) {
        TcpBridgeVerticle tcpBridge = new TcpBridgeVerticle(bridgePolicy, new BridgeMetrics(metrics.registry(), "tcp"),
            bridgeSockets, authority);
        chain = chain.compose(v -> vertx.deployVerticle(tcpBridge).onSuccess(x -> LOG.info(
            "TCP event-bus bridge listening on {}:{}", bridgeSettings.host(), bridgeSettings.tcpPort())));
      }
      chain
          .compose(v -> node.listen(httpOptions, httpSettings, router, cfg.getInt(ConfigKeys.HTTP_INSTANCES) > 0
              ? cfg.getInt(ConfigKeys.HTTP_INSTANCES) : Runtime.getRuntime().availableProcessors()))
          .compose(port -> authSettings.adminPort() > 0
              ? node.listenAdmin(httpOptions, httpSettings, router, authSettings.adminPort()).map(port) : Future.succeededFuture(port))
          .map(port -> {
            if (httpTls != null) {
              node.tlsTimer = TlsReloader.start(vertx, httpTls, httpPem, node::httpServers, metrics.registry());
            }
            listening.set(true);
            started.set(true);
            node.reporter = NodeReporter.start(ctx);
            LOG.info("node {} ({}) ready: http port {}, roles {}, cluster {}", identity.name(), identity.nodeId(),
                port, roles, cfg.getString(ConfigKeys.CLUSTER_MODE));
            return node;
          })
          .onComplete(ar -> {
            if (ar.succeeded()) {
              result.complete(ar.result());
            } else {
              Throwable err = ar.cause();
              LOG.error("start-up failed: {}", err.toString());
              vertx.close().toCompletionStage().whenComplete((x, e) -> {
                tracing.close(1000);
                result.fail(err);
              });
            }
          });
    });
    return result.future();
  }

  /**
   * Listens with {@code instances} HTTP servers, each on its own event loop, sharing one port.
   */
  private Future<Integer> listen(HttpServerOptions configured, HttpSettings settings, Router router,
      int instances) {
    // One deployment of all instances on one port: Vert.x shares a port among servers that ask for the same
    // host:port, but gives each server asking for port 0 its own port, so port 0 is resolved here first.
    HttpServerOptions options = new HttpServerOptions(configured);
    if (options.getPort() == 0 && instances > 1) {
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(options.getHost()))) {
        options.setPort(probe.getLocalPort());
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
    }
    List<HttpServerVerticle> made = httpInstances;
    return context.vertx().deployVerticle(() -> {
      HttpServerVerticle v = new HttpServerVerticle(options, router, settings,
          context.counters());
      made.add(v);
      return v;
    }, new DeploymentOptions().setInstances(instances)).map(id -> {
      httpDeployments.add(id);
      httpPort = made.get(0).actualPort();
      return httpPort;
    });
  }

  /** Every HTTP server of the node, the management port's included (they share the TLS pair). */
  private List<HttpServer> httpServers() {
    List<HttpServer> out = new ArrayList<>();
    httpInstances.forEach(v -> out.add(v.server()));
    adminInstances.forEach(v -> out.add(v.server()));
    return out;
  }

  /** The management port: one more HTTP server on the same router; the admin surface answers only there. */
  private Future<Void> listenAdmin(HttpServerOptions configured, HttpSettings settings, Router router, int port) {
    HttpServerOptions options = new HttpServerOptions(configured).setPort(port);
    HttpServerVerticle admin = new HttpServerVerticle(options, router, settings, context.counters());
    return context.vertx().deployVerticle(admin)
        .map(id -> {
          httpDeployments.add(id);
          adminInstances.add(admin);
          LOG.info("admin surface on port {}", port);
          return null;
        });
  }

  /** A warning at start-up when the node listens beyond loopback with no credential configured. */
  private static void warnIfOpen(SwitchboardConfig cfg, AuthSettings auth) {
    String host = cfg.getString(ConfigKeys.HTTP_HOST);
    boolean loopback;
    try {
      loopback = InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      loopback = false;
    }
    if (loopback) {
      return;
    }
    if (!auth.required()) {
      LOG.warn("no authentication is configured (auth.adminTokens, auth.jwt.*, hub.auth.tokens) and http.host {} is not "
          + "loopback: anyone who reaches the node can open sessions, watch executions, read /config and write "
          + "silences (docs/operations.md, Authentication)", host);
    } else if (auth.adminTokens().isEmpty() && !auth.jwt()) {
      LOG.warn("no admin credential is configured (auth.adminTokens or auth.jwt.*): the admin surface refuses everyone");
    }
  }

  private Future<Void> closeHttp() {
    if (tlsTimer != 0) {
      context.vertx().cancelTimer(tlsTimer);
    }
    List<Future<?>> undeploys = new ArrayList<>();
    for (String id : httpDeployments) {
      undeploys.add(context.vertx().undeploy(id).recover(e -> Future.succeededFuture()));
    }
    return Future.join(undeploys).mapEmpty();
  }

  /**
   * Graceful stop: readiness turns 503 at once; after {@code shutdown.drainDelay} the drain actions run (the hub
   * closes WebSockets with 1001); then the node leaves the cluster and Vert.x closes. Never longer than
   * {@code shutdown.timeout}.
   */
  public Future<Void> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    Vertx vertx = context.vertx();
    context.shutdown().begin();
    if (reporter != null) {
      reporter.stopping();
    }
    long drain = context.config().getDurationMs(ConfigKeys.SHUTDOWN_DRAIN_DELAY);
    LOG.info("shutting down: readiness now 503, draining for {} ms", drain);
    Promise<Void> drained = Promise.promise();
    vertx.setTimer(Math.max(1, drain), t -> drained.complete());
    return drained.future()
        .compose(v -> {
          List<Future<?>> actions = new ArrayList<>();
          for (Supplier<Future<?>> a : context.shutdown().drainActions()) {
            try {
              actions.add(a.get());
            } catch (RuntimeException e) {
              LOG.warn("drain action failed", e);
            }
          }
          return Future.join(actions).<Void>mapEmpty().recover(e -> Future.succeededFuture());
        })
        .compose(v -> closeHttp())
        .compose(v -> reporter == null ? Future.succeededFuture() : reporter.finish())
        .compose(v -> {
          if (eventLoops != null) {
            eventLoops.close();
          }
          return vertx.close();
        })
        .onComplete(ar -> {
          // spans still queued go to the collector (at most a second)
          context.tracing().close(1000);
          context.metrics().close();
          LOG.info("node {} stopped", context.identity().name());
        });
  }
}
