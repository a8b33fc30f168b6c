package io.switchboard.launcher;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Switchboard node as a real OS process: {@code java -jar launcher/target/switchboard.jar}, configured through
 * SWITCHBOARD_* environment variables, its output captured to a file. Tests talk to it over real HTTP.
 */
public final class NodeProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public final String name;
  public final int httpPort;
  public final Path output;
  private final Process process;
  private final Map<String, String> env;
  private final String[] args;
  private final List<String> jvmOptions;
  private final long startedAtNanos = System.nanoTime();

  private NodeProcess(String name, int httpPort, Path output, Process process, Map<String, String> env, String[] args,
      List<String> jvmOptions) {
    this.name = name;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.httpPort = httpPort;
    this.output = output;
    this.process = process;
    this.env = Map.copyOf(env);
    this.args = args.clone();
  }

  public static Path jar() {
    String p = System.getProperty("switchboard.jar", "target/switchboard.jar");
    Path jar = Path.of(p);
    if (!Files.exists(jar)) {
      throw new IllegalStateException("the jar " + jar.toAbsolutePath() + " is missing: run mvn package first");
    }
    return jar;
  }

  /** Environment for a test node of the given cluster: loopback join, own ports, quiet logs. */
  public static Map<String, String> env(String cluster, int clusterPort, String name, int httpPort) {
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_CLUSTER_NAME", cluster);
    env.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("SWITCHBOARD_CLUSTER_PORT_COUNT", "8");
    env.put("SWITCHBOARD_NODE_NAME", name);
    env.put("SWITCHBOARD_HTTP_PORT", String.valueOf(httpPort));
    env.put("SWITCHBOARD_HTTP_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_LOG_LEVEL", "info,com.hazelcast=warn,com.hazelcast.internal.cluster=info,io.switchboard.access=warn,io.switchboard.hub=debug,io.vertx.core.eventbus=debug,io.vertx.spi.cluster.hazelcast=debug");
    return env;
  }

  /** A member of a test cluster running the given services, on a free HTTP port. */
  public static NodeProcess startMember(String cluster, int clusterPort, String name, String services) throws IOException {
    return startMember(cluster, clusterPort, 8, name, services);
  }

  /** The same, with the cluster's join port range narrowed to {@code portCount} ports. */
  public static NodeProcess startMember(String cluster, int clusterPort, int portCount, String name, String services) throws IOException {
    int port = TestNodes.freePort();
    Map<String, String> env = env(cluster, clusterPort, name, port);
    env.put("SWITCHBOARD_CLUSTER_PORT_COUNT", String.valueOf(portCount));
    env.put("SWITCHBOARD_SERVICES", services);
    return start(name, port, env);
  }

  /** The JVM options a node runs with unless the test gives its own: a 256 MB heap, serial GC, C1 only. */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  public static NodeProcess start(String name, int httpPort, Map<String, String> env, String... args) throws IOException {
    return start(name, httpPort, env, DEFAULT_JVM_OPTIONS, args);
  }

  /** The same, with these JVM options (heap size, GC) in place of {@link #DEFAULT_JVM_OPTIONS}. */
  public static NodeProcess start(String name, int httpPort, Map<String, String> env, List<String> jvmOptions,
      String... args) throws IOException {
    Path out = Files.createTempFile("switchboard-" + name + "-", ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    // only the test's own settings: none from the shell running the tests, OpenTelemetry's included
    pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_") || k.startsWith("OTEL_"));
    pb.environment().putAll(env);
    return new NodeProcess(name, httpPort, out, pb.start(), env, args, jvmOptions);
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** HTTP GET; status -1 when the connection fails. */
  public Response get(String path) {
    return request(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).GET().build());
  }

  public Response request(HttpRequest req) {
    try {
      HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Response(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(-1, "interrupted");
    }
  }

  /** Waits until {@code /health/ready} answers 200; returns the milliseconds since the process started. */
  public long awaitReady(Duration timeout) {
    Await.waitFor(timeout, () -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + tail());
      }
      return get("/health/ready").status() == 200;
    }, () -> name + " did not become ready:\n" + tail());
    return (System.nanoTime() - startedAtNanos) / 1_000_000;
  }

  public JsonObject json(String path) {
    Response r = get(path);
    if (r.status() != 200) {
      throw new AssertionError("GET " + path + " on " + name + " answered " + r.status() + ": " + r.body());
    }
    return new JsonObject(r.body());
  }

  /**
   * Whether Hazelcast reports every partition's backups in place ({@code clusterSafe} in {@code /health/ready}): only
   * then can a member die without taking data along (backup count 1).
   */
  public boolean clusterSafe() {
    Response r = get("/health/ready");
    if (r.status() != 200) {
      return false;
    }
    JsonArray checks = new JsonObject(r.body()).getJsonArray("checks", new JsonArray());
    for (int i = 0; i < checks.size(); i++) {
      JsonObject c = checks.getJsonObject(i);
      if ("clusterSafe".equals(c.getString("id"))) {
        return "UP".equals(c.getString("status"));
      }
    }
    return false;
  }

  public int clusterSize() {
    Response r = get("/cluster");
    return r.status() == 200 ? new JsonObject(r.body()).getInteger("clusterSize") : -1;
  }

  /** SIGTERM. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL. */
  public void kill() {
    process.destroyForcibly();
  }

  /**
   * A graceful stop: SIGTERM, then waits for the exit (readiness 503, drain, WebSockets closed 1001, cluster left);
   * returns the exit code (0; 143 when the stop outlasted shutdown.timeout), or throws after the timeout.
   */
  public int stopGracefully(Duration timeout) throws InterruptedException {
    terminate();
    return awaitExit(timeout);
  }

  /**
   * Starts this node again after it exited: a new process with the same name, HTTP port, environment and
   * arguments (a new node id, as after any restart), its output in a new file.
   */
  public NodeProcess restart() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException(name + " is still running");
    }
    return start(name, httpPort, env, jvmOptions, args);
  }

  /** Waits for the process to exit; returns its exit code, or throws after the timeout. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " still running after " + timeout + ":\n" + tail());
    }
    return process.exitValue();
  }

  public String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      return "";
    }
  }

  public String tail() {
    String s = output();
    return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** An HTTP answer. */
  public record Response(int status, String body) {}
}
