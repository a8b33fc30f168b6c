package io.switchboard.launcher.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.WebSocket;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code alerts [--history] [--follow]}: the firing alerts (GET /alerts), the latest event of each episode
 * (GET /alerts/history), or, with --follow, the active alerts and then every transition as it happens, from the
 * monitor stream's topic {@code alerts} (docs/monitor.md) on the JDK's WebSocket client.
 */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = {"Firing alerts (GET /alerts), their history (--history), or every transition as it happens",
        "(--follow: /ws topic alerts, until Ctrl-C; with -o json one JSON object per line)."})
public final class AlertsCommand implements Callable<Integer> {
  @Mixin
  NodeOptions node;

  @Option(names = "--history", description = "The latest event of each episode, newest first.")
  boolean history;

  @Option(names = "--follow", description = "Print the active alerts, then each transition as it happens.")
  boolean follow;

  @Override
  public Integer call() throws Exception {
    if (history && follow) {
      throw new CliException(Exit.USAGE, "--history and --follow do not go together: pick one");
    }
    NodeClient client = node.client();
    if (follow) {
      return follow(client);
    }
    JsonObject j = client.get(history ? "/alerts/history" : "/alerts").ok().json();
    if (node.json()) {
      System.out.println(j.encodePrettily());
    } else {
      Table t = table();
      JsonArray items = j.getJsonArray("items", new JsonArray());
      for (int i = 0; i < items.size(); i++) {
        row(t, items.getJsonObject(i));
      }
      System.out.print(t.size() == 0 ? (history ? "no alert episodes yet\n" : "no alert is firing\n") : t.render());
    }
    return Exit.OK;
  }

  static Table table() {
    return new Table("TIME", "RULE", "STATE", "SEVERITY", "VALUE", "THRESHOLD", "LABELS", "SILENCED", "SUMMARY");
  }

  static void row(Table t, JsonObject e) {
    t.row(Times.iso(time(e)), e.getString("rule"), e.getString("state"), e.getString("severity"),
        StatsCommand.num(e.getValue("value")), StatsCommand.num(e.getValue("threshold")), labels(e),
        e.getValue("silenced", ""), e.getJsonObject("annotations", new JsonObject()).getString("summary"));
  }

  /** When the event happened: a resolution's end, else the event's timestamp. */
  static Object time(JsonObject e) {
    return "resolved".equals(e.getString("state")) && e.getValue("endsAt") != null ? e.getValue("endsAt")
        : e.getValue("timestamp", e.getValue("startsAt"));
  }

  /** The alert's labels but alertname and severity (shown in their own columns), sorted: k=v,k=v. */
  static String labels(JsonObject e) {
    JsonObject labels = e.getJsonObject("labels", new JsonObject());
    StringBuilder l = new StringBuilder();
    for (String k : labels.fieldNames().stream().sorted().toList()) {
      if (!k.equals("alertname") && !k.equals("severity")) {
        l.append(l.length() > 0 ? "," : "").append(k).append('=').append(labels.getValue(k));
      }
    }
    return l.toString();
  }

  /** One transition on one line, for --follow: time, state, rule, then labels, value and summary. */
  static String line(JsonObject e) {
    StringBuilder sb = new StringBuilder();
    sb.append(Times.iso(time(e))).append(' ').append(e.getString("state")).append(' ').append(e.getString("rule"))
        .append(" severity=").append(e.getString("severity"))
        .append(" value=").append(StatsCommand.num(e.getValue("value")))
        .append(" threshold=").append(StatsCommand.num(e.getValue("threshold")));
    String labels = labels(e);
    if (!labels.isEmpty()) {
      sb.append(' ').append(labels);
    }
    String summary = e.getJsonObject("annotations", new JsonObject()).getString("summary");
    if (summary != null && !summary.isEmpty()) {
      sb.append(" -- ").append(Table.cell(summary));
    }
    return sb.toString();
  }

  private int follow(NodeClient client) throws Exception {
    CompletableFuture<Integer> ended = new CompletableFuture<>();
    Listener listener = new Listener(client.url(), ended);
    WebSocket ws;
    try {
      ws = client.http().newWebSocketBuilder().connectTimeout(NodeClient.CONNECT_TIMEOUT)
          .buildAsync(client.webSocket("/ws"), listener).get(NodeClient.REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw client.unreachable();
    }
    ws.sendText(new JsonObject().put("type", "subscribe").put("topic", "alerts").encode(), true);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"), "alerts-close"));
    try {
      return ended.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof CliException ce) {
        throw ce;
      }
      throw new CliException(Exit.UNREACHABLE, "the stream from " + client.url() + " broke: " + e.getCause()
          + ": check the node and run the command again");
    }
  }

  /** Prints each frame of topic alerts as it comes; ends the command when the node closes the stream. */
  private final class Listener implements WebSocket.Listener {
    private final String url;
    private final CompletableFuture<Integer> ended;
    private final StringBuilder partial = new StringBuilder();

    Listener(String url, CompletableFuture<Integer> ended) {
      this.url = url;
      this.ended = ended;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          frame(new JsonObject(text));
        } catch (DecodeException | ClassCastException e) {
          ended.completeExceptionally(new CliException(Exit.UNREACHABLE,
              "the node sent a frame that is not JSON on /ws: is --url a Switchboard node?"));
        }
      }
      ws.request(1);
      return null;
    }

    private void frame(JsonObject f) {
      String type = f.getString("type", "");
      switch (type) {
        case "snapshot" -> {
          JsonArray items = f.getValue("data") instanceof JsonArray a ? a : new JsonArray();
          for (int i = 0; i < items.size(); i++) {
            print(items.getJsonObject(i));
          }
          if (!node.json()) {
            System.out.println("-- " + items.size() + " active; following transitions (Ctrl-C stops)");
          }
        }
        case "alert" -> print(f.getJsonObject("data", new JsonObject()));
        case "error" -> {
          JsonObject d = f.getJsonObject("data", new JsonObject());
          System.err.println("switchboard: the node says " + d.getString("code") + ": " + d.getString("message"));
        }
        default -> {
          // subscribed, and frames of other topics: nothing to print
        }
      }
      System.out.flush();
    }

    private void print(JsonObject event) {
      System.out.println(node.json() ? event.encode() : line(event));
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      ended.completeExceptionally(new CliException(Exit.UNREACHABLE, "the node at " + url
          + " closed the stream (" + statusCode + (reason.isEmpty() ? "" : " " + reason) + "): run the command again once it is up"));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      ended.completeExceptionally(error);
    }
  }
}
