package io.switchboard.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleParserTest {

  private static JsonObject rule(String name) {
    return new JsonObject().put("name", name).put("expr", "errorRate").put("op", ">").put("threshold", 0.05);
  }

  private static void assertRejected(JsonObject r, String... fragments) {
    assertThatThrownBy(() -> RuleParser.parse(new JsonArray().add(rule("Fine")).add(r)))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          assertThat(((ConfigException) e).key()).isEqualTo("alert.rules");
          assertThat(e.getMessage()).contains(fragments);
        });
  }

  /** Found by RuleParserPropertyTest: deep nesting overflowed the parser's stack, long chains the evaluator's. */
  @Test
  void deeplyNestedOrVeryLongExpressionsAreRefusedByTheirRule() {
    assertRejected(rule("Deep").put("expr", "(".repeat(20_000) + "errorRate" + ")".repeat(20_000)),
        "alert rule 'Deep'", "expr", "deeper than 64");
    assertRejected(rule("Signs").put("expr", "-".repeat(20_000) + "errorRate"), "alert rule 'Signs'", "expr", "deeper than 64");
    assertRejected(rule("Long").put("expr", "errorRate + ".repeat(20_000) + "1"), "alert rule 'Long'", "expr", "more than 256");
    assertThat(RuleParser.parse(new JsonArray().add(rule("Nested").put("expr", "(".repeat(64) + "errorRate" + ")".repeat(64)))))
        .hasSize(1);
  }

  /** Found by RuleParserPropertyTest: a refusal inside minVolume or wasAtLeast named only "min" or "field". */
  @Test
  void fieldsInsideMinVolumeAndWasAtLeastAreNamedByTheirPath() {
    assertRejected(rule("Vol").put("minVolume", new JsonObject().put("field", "errorRate").put("min", "x")),
        "alert rule 'Vol'", "minVolume.min must be a number");
    assertRejected(rule("Vol").put("minVolume", new JsonObject().put("min", 1)), "minVolume.field is missing");
    assertRejected(rule("Was").put("wasAtLeast", new JsonObject().put("field", "errorRate").put("min", 1).put("within", "soon")),
        "alert rule 'Was'", "wasAtLeast.within");
    assertRejected(rule("Was").put("wasAtLeast", new JsonObject().put("field", "errorRate").put("within", "5m")),
        "wasAtLeast.min is missing");
  }

  @Test
  void shippedDefaultsParseAndCoverTheRequiredConditions() {
    List<Rule> rules = RuleParser.defaults();
    assertThat(rules).extracting(Rule::name).containsExactly(
        "SwitchboardErrorRateHigh", "SwitchboardErrorRateCritical", "SwitchboardLatencyHigh", "SwitchboardHeapHigh",
        "SwitchboardConnectionsNearLimit", "SwitchboardNoAgentsConnected", "SwitchboardExecutionFailureRateHigh",
        "SwitchboardNodeDown", "SwitchboardAllConnectionsDropped", "SwitchboardMemberNotReady");
    Rule warn = rules.get(0);
    assertThat(warn.threshold()).isEqualTo(0.05);
    assertThat(warn.minVolume()).isEqualTo(new Rule.Volume("framesInWindow", 20));
    assertThat(rules.get(1).severity()).isEqualTo("critical");
    assertThat(rules.get(1).threshold()).isEqualTo(0.10);
    assertThat(rules.get(2).threshold()).isEqualTo(1000);
    assertThat(rules.get(3).scope()).isEqualTo(Rule.Scope.NODE);
    assertThat(rules.get(4).expr().fields()).containsExactlyInAnyOrder("perNode.activeConnections", "perNode.maxConnections");
    assertThat(rules.get(5).forMs()).isEqualTo(300_000);
    assertThat(rules.get(6).threshold()).isEqualTo(0.2);
    assertThat(rules.get(7).scope()).isEqualTo(Rule.Scope.DOWN_NODE);
    assertThat(rules.get(8).wasAtLeast()).isEqualTo(new Rule.Recent("activeConnections", 1, 300_000));
  }

  @Test
  void nullConfigMeansDefaultsAndAListReplacesThem() {
    assertThat(RuleParser.fromConfig(SwitchboardConfig.defaults())).hasSize(10);
    SwitchboardConfig cfg = SwitchboardConfig.defaults().with(Map.of("alert.rules",
        "[{\"name\":\"Mine\",\"expr\":\"latency.p99\",\"op\":\">=\",\"threshold\":\"250\",\"for\":\"10s\",\"keepFiringFor\":\"1m\","
            + "\"severity\":\"info\",\"labels\":{\"team\":\"core\"},\"summary\":\"p99 {{value}} ms > {{threshold}} ({{labels.team}})\"}]"));
    List<Rule> rules = RuleParser.fromConfig(cfg);
    assertThat(rules).hasSize(1);
    Rule r = rules.get(0);
    assertThat(r.forMs()).isEqualTo(10_000);
    assertThat(r.keepFiringForMs()).isEqualTo(60_000);
    assertThat(r.labels()).containsEntry("team", "core");
    assertThat(r.toJson().getString("op")).isEqualTo(">=");
    assertThat(Templates.render(r.summary(), r, 312.456, r.labels())).isEqualTo("p99 312.5 ms > 250 (core)");
  }

  @Test
  void malformedRulesNameTheRuleAndTheProblem() {
    assertRejected(rule("BadOp").put("op", "=>"), "alert rule 'BadOp'", "op '=>'");
    assertRejected(rule("NoThreshold").putNull("threshold"), "'NoThreshold'", "threshold is missing");
    assertRejected(rule("Typo").put("thresold", 1), "'Typo'", "unknown field 'thresold'");
    assertRejected(rule("BadField").put("expr", "errorRat"), "'BadField'", "unknown field 'errorRat'");
    assertRejected(rule("BadExpr").put("expr", "errorRate * (2"), "'BadExpr'", "missing ')'");
    assertRejected(rule("MixedScope").put("expr", "perNode.heapRatio + downNodes.downForMs"), "'MixedScope'", "mixes");
    assertRejected(rule("BadClear").put("clearThreshold", 0.07), "'BadClear'", "clearThreshold");
    assertRejected(rule("BadSeverity").put("severity", "page"), "'BadSeverity'", "severity 'page'");
    assertRejected(rule("BadFor").put("for", "soon"), "'BadFor'", "for: 'soon'");
    assertRejected(rule("BadVolume").put("minVolume", new JsonObject().put("field", "frames").put("min", 20)), "'BadVolume'", "minVolume.field");
    assertRejected(rule("BadTemplate").put("summary", "{{labels.node}} is bad"), "'BadTemplate'", "{{labels.node}}");
    assertRejected(rule("Reserved").put("labels", new JsonObject().put("severity", "x")), "'Reserved'", "reserved");
    assertRejected(rule("Fine"), "'Fine'", "used by an earlier rule");
    assertRejected(new JsonObject().put("expr", "errorRate"), "alert rule #2", "name is missing");
    assertThatThrownBy(() -> RuleParser.parse(new JsonObject())).isInstanceOf(ConfigException.class).hasMessageContaining("must be a list");
  }

  @Test
  void malformedRuleInConfigurationStopsStartUp() {
    SwitchboardConfig cfg = SwitchboardConfig.defaults().with(Map.of("alert.rules",
        "[{\"name\":\"Broken\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":\"lots\"}]"));
    assertThatThrownBy(() -> RuleParser.fromConfig(cfg)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("alert rule 'Broken'").hasMessageContaining("threshold must be a number");
  }

  @Test
  void expressionsEvaluateWithMissingDataAsNull() {
    Expr e = Expr.parse("perNode.activeConnections / perNode.maxConnections * 100 - -1");
    assertThat(e.eval(f -> f.equals("perNode.activeConnections") ? 80.0 : 100.0)).isEqualTo(81.0);
    assertThat(e.eval(f -> f.equals("perNode.activeConnections") ? 80.0 : 0.0)).isNull();
    assertThat(e.eval(f -> null)).isNull();
    assertThat(Expr.parse("(1 + 2) * 3").eval(f -> null)).isEqualTo(9.0);
  }
}
