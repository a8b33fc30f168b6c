package io.switchboard.launcher.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The command line's HTTP access to one node (the JDK's HttpClient): GET, POST and DELETE on the node's HTTP API,
 * with a bearer token when one is given. A node that does not answer is exit code 3 with a message that says how to
 * start one; an answer is returned whatever its status, and {@link Answer#ok} turns an error answer
 * ({@code {error:{status, code, field?, message}}}, docs/operations.md) into the command's failure.
 */
public final class NodeClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final String token;
  private final HttpClient http;

  public NodeClient(String url, String token) {
    this.base = parse(url);
    this.token = token == null || token.isBlank() ? null : token;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
  }

  /** The node's base URL, checked: http or https with a host. */
  static URI parse(String url) {
    try {
      URI u = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new URISyntaxException(url, "not an http:// or https:// URL with a host");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new CliException(Exit.USAGE, "--url '" + url + "' is not a node address: give one like "
          + NodeOptions.DEFAULT_URL);
    }
  }

  public String url() {
    return base.toString();
  }

  /** The WebSocket address of {@code path} on the node (ws:// for http, wss:// for https). */
  public URI webSocket(String path) {
    String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
    return URI.create(scheme + base.toString().substring(base.getScheme().length()) + path);
  }

  public HttpClient http() {
    return http;
  }

  public Answer get(String pathAndQuery) {
    return send(request(pathAndQuery).GET());
  }

  public Answer post(String path, JsonObject body) {
    return send(request(path).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  public Answer delete(String path) {
    return send(request(path).DELETE());
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(REQUEST_TIMEOUT);
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    return b;
  }

  private Answer send(HttpRequest.Builder b) {
    HttpRequest req = b.build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      return new Answer(this, req.uri().getRawPath(), r.statusCode(), r.body());
    } catch (HttpTimeoutException e) {
      throw new CliException(Exit.UNREACHABLE, "the node at " + url() + " did not answer " + req.uri().getRawPath()
          + " within " + REQUEST_TIMEOUT.toSeconds() + " s: check that it is running and not overloaded");
    } catch (IOException e) {
      throw unreachable();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(Exit.UNREACHABLE, "interrupted while asking " + url());
    }
  }

  /** No node at the URL: what to do about it. */
  public CliException unreachable() {
    return new CliException(Exit.UNREACHABLE, "no node answers at " + url()
        + ": start one with `java -jar switchboard.jar` or pass --url (or set SWITCHBOARD_URL)");
  }

  /** One HTTP answer of the node. */
  public record Answer(NodeClient node, String path, int status, String body) {
    public boolean success() {
      return status >= 200 && status < 300;
    }

    /** The body as a JSON object; a body that is not one means the URL is not a Switchboard node. */
    public JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (DecodeException | ClassCastException e) {
        throw new CliException(Exit.UNREACHABLE, "the server at " + node.url() + " answered " + path
            + " with something other than JSON (HTTP " + status + "): is --url a Switchboard node?");
      }
    }

    /** The message of an error answer: the node's own (docs/operations.md, HTTP API errors), or the status. */
    public String errorMessage() {
      try {
        JsonObject e = new JsonObject(body).getJsonObject("error");
        if (e != null && e.getString("message") != null) {
          String field = e.getString("field");
          String m = e.getString("message");
          return field != null && !m.contains(field) ? m + " (field " + field + ")" : m;
        }
      } catch (RuntimeException e) {
        // not the node's error shape: the status says it
      }
      return "HTTP " + status;
    }

    /**
     * This answer when it is a success; otherwise the command's failure: 2 for a refused input (400, 401, 403,
     * 413), 1 for anything else the node answered (404, 409, 503, 500).
     */
    public Answer ok() {
      if (success()) {
        return this;
      }
      String msg = errorMessage();
      switch (status) {
        case 401, 403 -> throw new CliException(Exit.USAGE, "the node refused " + path + ": " + msg
            + ": pass --token or set SWITCHBOARD_TOKEN");
        case 400, 413 -> throw new CliException(Exit.USAGE, "the node refused the request: " + msg);
        case 404 -> {
          if (body.contains("\"NOT_FOUND\"") && msg.startsWith("no endpoint")) {
            throw new CliException(Exit.UNHEALTHY, "the node at " + node.url() + " has no " + path
                + ": is --url a Switchboard node of this version?");
          }
          throw new CliException(Exit.UNHEALTHY, msg);
        }
        case 503 -> throw new CliException(Exit.UNHEALTHY, "the node at " + node.url() + " cannot answer " + path
            + " now: " + msg + " (see `switchboard health --cluster`)");
        default -> throw new CliException(Exit.UNHEALTHY, "the node answered " + path + " with HTTP " + status + ": " + msg);
      }
    }
  }
}
