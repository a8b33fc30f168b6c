package io.switchboard.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.stats.ClusterStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fields a rule may read are the numeric fields {@code /stats} publishes, and docs/alerts.md names each of them,
 * as ConfigDocsTest holds docs/configuration.md to the configuration keys.
 */
class RuleFieldsTest {

  /** A published stats view in which every numeric field has a distinct non-zero value. */
  private static JsonObject everyFieldSet() {
    JsonObject stats = new JsonObject();
    double v = 1;
    for (String path : ClusterStats.numericPaths()) {
      String[] parts = path.split("\\.");
      JsonObject at = stats;
      for (int i = 0; i < parts.length - 1; i++) {
        at = at.containsKey(parts[i]) ? at.getJsonObject(parts[i]) : putObject(at, parts[i]);
      }
      at.put(parts[parts.length - 1], v++);
    }
    return stats;
  }

  private static JsonObject putObject(JsonObject at, String key) {
    JsonObject o = new JsonObject();
    at.put(key, o);
    return o;
  }

  @Test
  void everyNumericFieldTheStatsServicePublishesIsReadableByARule() {
    ClusterStats published = ClusterStats.fromJson(everyFieldSet());
    JsonObject json = published.toJson();
    for (String path : ClusterStats.numericPaths()) {
      assertThat(AlertEngine.number(json, path)).as(path + " is published as a number").isNotNull().isPositive();
      JsonArray rules = new JsonArray().add(new JsonObject().put("name", "R").put("expr", path).put("op", ">")
          .put("threshold", 0));
      Rule rule = RuleParser.parse(rules).get(0);
      AlertEngine engine = new AlertEngine(List.of(rule));
      AlertEngine.Result r = engine.evaluate(json, 1_000, labels -> false);
      assertThat(r.transitions()).as("a rule on " + path + " fires on a positive value").hasSize(1);
    }
  }

  @Test
  void fieldsThatWereOnceRefusedAreAccepted() {
    assertThat(ClusterStats.numericPaths()).contains("errorsInWindow", "monitorsConnected", "connectionsRefused");
    assertThat(ClusterStats.perNodeNumericPaths()).contains("activeConnections", "maxConnections", "heapRatio");
  }

  @Test
  void docsAlertsMdNamesEveryField() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "alerts.md"));
    for (String path : ClusterStats.numericPaths()) {
      assertThat(Pattern.compile("(?<![\\w.])" + Pattern.quote(path) + "(?![\\w.])").matcher(doc).find())
          .as("docs/alerts.md lists the cluster field " + path).isTrue();
    }
    for (String field : ClusterStats.perNodeNumericPaths()) {
      assertThat(doc).as("docs/alerts.md lists perNode." + field).contains("perNode." + field);
    }
  }
}
