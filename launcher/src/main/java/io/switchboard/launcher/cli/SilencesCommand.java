package io.switchboard.launcher.cli;

import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code silences [list | add | expire ID]}: the node's silences API (docs/alerts.md, Silences). Without a
 * subcommand it lists them.
 */
@Command(name = "silences", mixinStandardHelpOptions = true,
    description = "List (default), add or expire silences (GET/POST /silences, DELETE /silences/ID).",
    subcommands = {SilencesCommand.ListCommand.class, SilencesCommand.AddCommand.class, SilencesCommand.ExpireCommand.class})
public final class SilencesCommand implements Callable<Integer> {
  @Mixin
  NodeOptions node;

  @Override
  public Integer call() {
    return list(node);
  }

  static int list(NodeOptions node) {
    JsonObject j = node.client().get("/silences").ok().json();
    if (node.json()) {
      System.out.println(j.encodePrettily());
      return Exit.OK;
    }
    JsonArray items = j.getJsonArray("items", new JsonArray());
    if (items.isEmpty()) {
      System.out.println("no silences");
      return Exit.OK;
    }
    Table t = new Table("ID", "STATUS", "MATCHERS", "STARTS", "ENDS", "CREATED_BY", "COMMENT");
    for (int i = 0; i < items.size(); i++) {
      JsonObject s = items.getJsonObject(i);
      t.row(s.getString("id"), s.getString("status"), matchers(s.getJsonArray("matchers", new JsonArray())),
          Times.iso(s.getValue("startsAt")), Times.iso(s.getValue("endsAt")), s.getString("createdBy", ""),
          s.getString("comment", ""));
    }
    System.out.print(t.render());
    return Exit.OK;
  }

  /** Matchers as the command line writes them: name=value, name=~regex. */
  static String matchers(JsonArray ms) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ms.size(); i++) {
      JsonObject m = ms.getJsonObject(i);
      sb.append(i > 0 ? "," : "").append(m.getString("name"))
          .append(Boolean.TRUE.equals(m.getBoolean("isRegex")) ? "=~" : "=").append(m.getString("value"));
    }
    return sb.toString();
  }

  /** A {@code --matcher}: {@code name=value} (equality) or {@code name=~regex} (an RE2 full match). */
  static JsonObject matcher(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new CliException(Exit.USAGE, "--matcher '" + spec + "' is not name=value or name=~regex (e.g. alertname=SwitchboardNodeDown)");
    }
    String name = spec.substring(0, eq).trim();
    String value = spec.substring(eq + 1);
    boolean regex = value.startsWith("~");
    return new JsonObject().put("name", name).put("value", regex ? value.substring(1) : value).put("isRegex", regex);
  }

  /** {@code silences list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the silences (GET /silences).")
  public static final class ListCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Override
    public Integer call() {
      return list(node);
    }
  }

  /** {@code silences add --matcher k=v … --for 1h [--comment …]}. */
  @Command(name = "add", mixinStandardHelpOptions = true, description = {"Add a silence (POST /silences): for the given duration, sinks are not notified",
      "of the alerts that all its matchers match."})
  public static final class AddCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Mixin
    TokenOption token;

    @Option(names = "--matcher", paramLabel = "NAME=VALUE", required = true,
        description = "A label matcher: name=value, or name=~regex (RE2, full match); repeat for more (all must match).")
    List<String> matchers;

    @Option(names = "--for", paramLabel = "DURATION", required = true, description = "How long, e.g. 90m, 2h.")
    String duration;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why.")
    String comment;

    @Option(names = "--created-by", paramLabel = "WHO", description = "Who (default: the user name).")
    String createdBy;

    @Override
    public Integer call() {
      JsonObject body = body(matchers, duration, comment, createdBy != null ? createdBy : System.getProperty("user.name"));
      JsonObject j = node.client(token.token).post("/silences", body).ok().json();
      if (node.json()) {
        System.out.println(j.encodePrettily());
      } else {
        System.out.println("silence " + j.getString("id") + " added: " + matchers(j.getJsonArray("matchers", new JsonArray()))
            + " until " + Times.iso(j.getValue("endsAt")));
      }
      return Exit.OK;
    }

    static JsonObject body(List<String> matchers, String duration, String comment, String createdBy) {
      try {
        if (SwitchboardConfig.parseDuration(duration) <= 0) {
          throw new IllegalArgumentException("not a positive duration");
        }
      } catch (IllegalArgumentException e) {
        throw new CliException(Exit.USAGE, "--for '" + duration + "' is " + e.getMessage() + " (use e.g. 30m, 2h)");
      }
      JsonArray ms = new JsonArray();
      matchers.forEach(m -> ms.add(matcher(m)));
      JsonObject body = new JsonObject().put("matchers", ms).put("duration", duration.trim());
      if (comment != null) {
        body.put("comment", comment);
      }
      if (createdBy != null) {
        body.put("createdBy", createdBy);
      }
      return body;
    }
  }

  /** {@code silences expire ID}. */
  @Command(name = "expire", mixinStandardHelpOptions = true, description = "Expire a silence now (DELETE /silences/ID).")
  public static final class ExpireCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Mixin
    TokenOption token;

    @Parameters(paramLabel = "ID", description = "The silence's id (see `silences list`).")
    String id;

    @Override
    public Integer call() {
      NodeClient client = node.client(token.token);
      NodeClient.Answer a = client.delete("/silences/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"));
      if (a.status() == 404) {
        throw new CliException(Exit.UNHEALTHY, "no silence '" + id + "' on " + client.url()
            + ": `switchboard silences list` shows the ids");
      }
      JsonObject j = a.ok().json();
      if (node.json()) {
        System.out.println(j.encodePrettily());
      } else {
        System.out.println("silence " + j.getString("id", id) + " expired");
      }
      return Exit.OK;
    }
  }
}
