package io.switchboard.launcher.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code metrics [--filter REGEX] [--watch]}: the node's Prometheus samples (GET /metrics), those whose metric name
 * the filter finds a match in. The filter is the operator's own pattern, run on this machine, so it is a
 * java.util.regex pattern (RE2's restrictions guard the node from untrusted patterns, docs/alerts.md).
 */
@Command(name = "metrics", mixinStandardHelpOptions = true,
    description = {"The node's Prometheus samples (GET /metrics), filtered by metric name.",
        "--filter is a Java regular expression found anywhere in the name (anchor with ^ and $)."})
public final class MetricsCommand implements Callable<Integer> {
  @Mixin
  NodeOptions node;

  @Option(names = "--filter", paramLabel = "REGEX", description = "Only metrics whose name matches (e.g. 'sessions|errors').")
  String filter;

  @Mixin
  WatchOptions watching;

  /** One sample of the exposition format. */
  public record Sample(String name, String labels, String value) {
    JsonObject toJson() {
      return new JsonObject().put("name", name).put("labels", labelsJson(labels)).put("value", parseValue(value));
    }
  }

  @Override
  public Integer call() {
    Pattern p = compile(filter);
    NodeClient client = node.client();
    Watch.run(watching.watch, watching.interval, !node.json(), System.out, () -> {
      List<Sample> samples = parse(client.get("/metrics").ok().body(), p);
      if (node.json()) {
        JsonArray a = new JsonArray();
        samples.forEach(s -> a.add(s.toJson()));
        JsonObject j = new JsonObject().put("samples", a);
        System.out.println(watching.watch ? j.encode() : j.encodePrettily());
      } else {
        Table t = new Table("METRIC", "LABELS", "VALUE");
        samples.forEach(s -> t.row(s.name(), s.labels(), s.value()));
        System.out.print(t.render());
      }
    });
    return Exit.OK;
  }

  static Pattern compile(String filter) {
    if (filter == null) {
      return null;
    }
    try {
      return Pattern.compile(filter);
    } catch (PatternSyntaxException e) {
      throw new CliException(Exit.USAGE, "--filter '" + filter + "' is not a regular expression: "
          + e.getDescription() + " (near index " + e.getIndex() + ")");
    }
  }

  /** The samples of a Prometheus text exposition (comments skipped) whose name {@code filter} finds a match in. */
  static List<Sample> parse(String text, Pattern filter) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name;
      String labels;
      String rest;
      if (brace >= 0 && (space < 0 || brace < space)) {
        int close = line.lastIndexOf('}');
        if (close < brace) {
          continue;
        }
        name = line.substring(0, brace);
        labels = line.substring(brace + 1, close);
        rest = line.substring(close + 1).trim();
      } else if (space > 0) {
        name = line.substring(0, space);
        labels = "";
        rest = line.substring(space + 1).trim();
      } else {
        continue;
      }
      if (filter != null && !filter.matcher(name).find()) {
        continue;
      }
      int ts = rest.indexOf(' ');
      out.add(new Sample(name, labels.endsWith(",") ? labels.substring(0, labels.length() - 1) : labels,
          ts < 0 ? rest : rest.substring(0, ts)));
    }
    return out;
  }

  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static JsonObject labelsJson(String labels) {
    JsonObject j = new JsonObject();
    Matcher m = LABEL.matcher(labels);
    while (m.find()) {
      j.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
    }
    return j;
  }

  static Object parseValue(String v) {
    try {
      double d = Double.parseDouble(v);
      return Double.isFinite(d) ? d : v;
    } catch (NumberFormatException e) {
      return v;
    }
  }
}
