package io.switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Latency of {@code GET /health/cluster} (docs/operations.md, "Cluster health") as an operator's prober sees it: one
 * request at a time, round-robin over the given nodes, timed from send to the last byte of the answer. Prints
 * p50/p90/p99/max and the answers by HTTP status and cluster status.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = "Time GET /health/cluster, one request at a time, round-robin over the nodes given.")
public final class HealthCommand implements Callable<Integer> {
  @Option(names = "--url", required = true, split = ",",
      description = "base URLs of the nodes, e.g. http://127.0.0.1:8080,http://127.0.0.1:8081")
  List<String> urls;
  @Option(names = "--requests", defaultValue = "1000", description = "measured requests")
  int requests;
  @Option(names = "--warmup", defaultValue = "200", description = "requests before measuring")
  int warmup;
  @Option(names = "--json", description = "write the result here")
  Path json;

  @Override
  public Integer call() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<HttpRequest> reqs = urls.stream().map(u -> HttpRequest.newBuilder(URI.create(u + "/health/cluster"))
        .timeout(Duration.ofSeconds(10)).GET().build()).toList();
    Histogram h = new Histogram(60_000_000L, 3);
    Map<String, Integer> outcomes = new TreeMap<>();
    int members = 0;
    for (int i = 0; i < warmup + requests; i++) {
      HttpRequest req = reqs.get(i % reqs.size());
      long t0 = System.nanoTime();
      String outcome;
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        long us = (System.nanoTime() - t0) / 1000;
        JsonObject body = new JsonObject(r.body());
        outcome = r.statusCode() + " " + body.getString("status");
        members = Math.max(members, body.getInteger("members", 0));
        if (i >= warmup) {
          h.recordValue(Math.min(us, h.getHighestTrackableValue()));
        }
      } catch (Exception e) {
        outcome = "failed " + e.getClass().getSimpleName();
      }
      if (i >= warmup) {
        outcomes.merge(outcome, 1, Integer::sum);
      }
    }
    JsonObject result = new JsonObject().put("scenario", "health-cluster").put("nodes", urls.size())
        .put("members", members).put("requests", requests).put("warmup", warmup)
        .put("latencyMs", LoadRun.latency(h)).put("outcomes", new JsonObject(Map.copyOf(outcomes)))
        .put("timestamp", System.currentTimeMillis());
    JsonObject l = result.getJsonObject("latencyMs");
    System.out.printf("GET /health/cluster, %d members, %d requests round-robin over %d nodes: p50 %.3f ms, p90 %.3f ms,"
        + " p99 %.3f ms, max %.3f ms; answers %s%n", members, requests, urls.size(), l.getDouble("p50", 0.0),
        l.getDouble("p90", 0.0), l.getDouble("p99", 0.0), l.getDouble("max", 0.0), outcomes);
    if (json != null) {
      Files.writeString(json, result.encodePrettily());
    }
    return 0;
  }
}
