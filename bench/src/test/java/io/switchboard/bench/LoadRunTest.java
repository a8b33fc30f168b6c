package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generator against the raw echo server over real loopback sockets: counts, never timings. */
class LoadRunTest {
  static Vertx vertx;
  static URI url;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    RawEchoServer server = new RawEchoServer(0);
    vertx.deployVerticle(server).toCompletionStage().toCompletableFuture().get();
    url = URI.create("ws://127.0.0.1:" + server.actualPort() + "/haip");
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static LoadOptions options(LoadOptions.Scenario scenario, int sessions) {
    LoadOptions o = new LoadOptions();
    o.urls = List.of(url);
    o.scenario = scenario;
    o.sessions = sessions;
    o.threads = 2;
    o.rampUpMs = 100;
    o.warmupMs = 100;
    o.durationMs = 400;
    o.holdMs = 100;
    return o;
  }

  private static JsonObject run(LoadOptions o) throws Exception {
    return new LoadRun(o, new PrintStream(new ByteArrayOutputStream())).run();
  }

  @Test
  void closedLoopCompletesRoundTripsOnEverySessionWithoutErrors() throws Exception {
    JsonObject r = run(options(LoadOptions.Scenario.echo, 20));
    assertThat(r.getLong("sessionsReady")).isEqualTo(20);
    assertThat(r.getLong("roundTrips")).isPositive();
    assertThat(r.getJsonObject("latencyMs").getLong("count")).isPositive();
    assertThat(r.getLong("errors")).isZero();
    assertThat(r.getLong("lost")).isZero();
    assertThat(Summary.table(List.of(r))).contains("echo", "closed");
  }

  @Test
  void theServersCpuOverTheWindowIsReportedBesideTheGenerators() throws Exception {
    // the raw echo server runs in this JVM: its pid is this process's, busy serving the round trips
    LoadOptions o = options(LoadOptions.Scenario.echo, 20);
    o.serverPid = ProcessHandle.current().pid();
    JsonObject r = run(o);
    JsonObject server = r.getJsonObject("serverCpu");
    assertThat(server).isNotNull();
    assertThat(server.getLong("pid")).isEqualTo(o.serverPid);
    assertThat(server.getLong("cpuMs")).isPositive();
    assertThat(server.getDouble("usPerRoundTrip")).isPositive();
    assertThat(r.getJsonObject("generatorCpu").getDouble("usPerRoundTrip")).isPositive();
    // without a pid nothing is claimed about the server
    assertThat(run(options(LoadOptions.Scenario.echo, 5)).getJsonObject("serverCpu")).isNull();
  }

  @Test
  void openLoopSendsOnScheduleAndGetsEveryEchoBack() throws Exception {
    LoadOptions o = options(LoadOptions.Scenario.echo, 10);
    o.rate = 500;
    JsonObject r = run(o);
    assertThat(r.getString("mode")).isEqualTo("open");
    assertThat(r.getLong("sent")).isPositive();
    assertThat(r.getLong("roundTrips")).isPositive();
    assertThat(r.getLong("lost")).isZero();
    assertThat(r.getLong("errors")).isZero();
  }

  @Test
  void idleSessionsAreHeldFromSeveralSourceAddresses() throws Exception {
    LoadOptions o = options(LoadOptions.Scenario.idle, 30);
    o.sourceAddresses = List.of("127.0.0.1", "127.0.0.2");
    JsonObject r = run(o);
    assertThat(r.getLong("held")).isEqualTo(30);
    assertThat(r.getLong("sessionsFailed")).isZero();
  }

  @Test
  void monitorSubscribersOfTheRawBroadcastServerGetTwoFramesPerDriverMessageEachOnce() throws Exception {
    Vertx server = Vertx.vertx();
    try {
      int port;
      try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      server.deployVerticle(new RawBroadcastServer(port, new RawBroadcastServer.Board(), 0, 0, true))
          .toCompletionStage().toCompletableFuture().get();
      LoadOptions o = options(LoadOptions.Scenario.monitor, 1);
      o.urls = List.of(URI.create("ws://127.0.0.1:" + port + "/haip"));
      o.subscribers = 20;
      o.rate = 100;
      o.durationMs = 1_000;
      JsonObject r = run(o);
      assertThat(r.getLong("subscribersReady")).isEqualTo(20);
      assertThat(r.getLong("driverMessagesInWindow")).isPositive();
      JsonObject kinds = r.getJsonObject("monitorFramesByKind");
      assertThat(kinds.getLong("log_in")).isPositive();
      assertThat(kinds.getLong("log_in") - kinds.getLong("log_out")).isBetween(-20L, 20L);
      assertThat(kinds.getLong("status") + kinds.getLong("other") + kinds.getLong("error")).isZero();
      assertThat(r.getLong("monitorFrames")).isEqualTo(kinds.getLong("log_in") + kinds.getLong("log_out"));
      // window edges aside, each driver message reaches each subscriber as exactly its log in and its log out
      assertThat(r.getDouble("framesPerDriverMessage")).isBetween(1.5, 2.5);
      assertThat(r.getLong("monitorDuplicates")).isZero();
      assertThat(r.getLong("monitorGaps")).isZero();
      assertThat(r.getJsonObject("monitorLatencyMs").getLong("count")).isEqualTo(r.getLong("monitorFrames"));
    } finally {
      server.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void aRefusedUpgradeIsCountedNotFatal() throws Exception {
    LoadOptions o = options(LoadOptions.Scenario.echo, 3);
    o.urls = List.of(URI.create("ws://127.0.0.1:1/haip"));
    JsonObject r = run(o);
    assertThat(r.getLong("sessionsReady")).isZero();
    assertThat(r.getLong("sessionsFailed")).isEqualTo(3);
    assertThat(r.getJsonObject("errorsByCode").fieldNames()).allMatch(c -> c.startsWith("CONNECT"));
  }
}
