package io.switchboard.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.testing.Mutations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Properties of the alert rule parser (docs/alerts.md): whatever {@code alert.rules} holds, {@link RuleParser}
 * returns rules or throws a {@link ConfigException} on {@code alert.rules} naming the rule (by name, or by position
 * when it has none) and the field; {@link Expr} parses or refuses with a reason, and evaluates without throwing.
 */
class RuleParserPropertyTest {
  private static final SwitchboardConfig DEFAULTS = SwitchboardConfig.defaults();
  private static final JsonArray SHIPPED = RuleParser.defaultRulesJson();
  /** Fields whose check also reads another (the expr sets the scope the templates and minVolume are checked in). */
  private static final Map<String, Set<String>> COUPLED = Map.of(
      "threshold", Set.of("clearThreshold"), "op", Set.of("clearThreshold"), "expr", Set.of("minVolume", "wasAtLeast", "summary", "description"),
      "labels", Set.of("label", "summary", "description"), "clearThreshold", Set.of("op"));

  @Provide
  Arbitrary<JsonArray> shippedSubsets() {
    return Arbitraries.integers().between(0, SHIPPED.size() - 1).set().ofMinSize(1).map(idx -> {
      JsonArray a = new JsonArray();
      idx.stream().sorted().forEach(i -> a.add(SHIPPED.getJsonObject(i).copy()));
      return a;
    });
  }

  @Provide
  Arbitrary<Object> oddValues() {
    return Arbitraries.oneOf(
        Arbitraries.of("", " ", "null", "x", "Bad Name", "1e400", "NaN", "-Infinity", "99999999999999999999",
            "-1s", "1e400s", "3 fortnights", ">>", "=", "{{nope}}", "{{labels.missing}}", "perNode.", "a..b",
            "downNodes.since + perNode.heapRatio", "perNode.nope", "errorRate / 0", "(errorRate", "errorRate)",
            "1.2.3", "1e", "-", "*", "critical!", "alertname").map(s -> (Object) s),
        Arbitraries.integers().between(1, 20_000).map(d -> (Object) Mutations.nested(d, "(", "errorRate", ")")),
        Arbitraries.integers().between(1, 20_000).map(d -> (Object) "-".repeat(d) + "errorRate"),
        Arbitraries.integers().between(1, 20_000).map(d -> (Object) ("errorRate + ".repeat(d) + "1")),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.just((Object) Double.NaN),
        Arbitraries.just((Object) new JsonArray().add(1)),
        Arbitraries.just((Object) new JsonObject().put("field", "errorRate").put("min", "x")),
        Arbitraries.just((Object) new JsonObject().put("field", "perNode.heapRatio").put("min", 1).put("within", "0s")),
        Arbitraries.just((Object) new JsonObject().put("alertname", "x")),
        Arbitraries.just((Object) new JsonObject().put("team", new JsonObject())),
        Arbitraries.just((Object) true),
        Arbitraries.strings().all().ofMaxLength(12).map(s -> (Object) s));
  }

  /** One field of one shipped rule given an odd value (or removed), or a field no rule has added. */
  record FieldEdit(int rule, String field, Object value, boolean remove) {}

  @Provide
  Arbitrary<FieldEdit> fieldEdits() {
    List<String> fields = List.of("name", "expr", "op", "threshold", "clearThreshold", "minVolume", "wasAtLeast", "for",
        "keepFiringFor", "severity", "labels", "summary", "description", "unknownField");
    return Combinators.combine(Arbitraries.integers().between(0, SHIPPED.size() - 1), Arbitraries.of(fields), oddValues(),
        Arbitraries.integers().between(0, 4)).as((i, f, v, r) -> new FieldEdit(i, f, v, r == 0));
  }

  @Property(tries = 200)
  void shippedRulesParse(@ForAll("shippedSubsets") JsonArray rules) {
    assertThat(RuleParser.parse(rules)).hasSize(rules.size());
  }

  @Property(tries = 1000)
  void anEditedRuleParsesOrIsRefusedByItsNameAndField(@ForAll("fieldEdits") FieldEdit edit) {
    JsonArray rules = SHIPPED.copy();
    JsonObject rule = rules.getJsonObject(edit.rule());
    if (edit.remove()) {
      rule.remove(edit.field());
    } else {
      rule.put(edit.field(), edit.value());
    }
    try {
      RuleParser.parse(rules);
    } catch (ConfigException e) {
      assertCodedRefusal(e);
      Object name = rule.getValue("name");
      String where = name instanceof String s && !s.isBlank() ? "alert rule '" + s + "'" : "alert rule #" + (edit.rule() + 1);
      assertThat(e.getMessage()).contains(where);
      String field = edit.field().equals("unknownField") ? "unknownField" : edit.field();
      assertThat(List.of(field)).as(e.getMessage()).anyMatch(f -> e.getMessage().contains(f)
          || COUPLED.getOrDefault(f, Set.of()).stream().anyMatch(e.getMessage()::contains)
          || f.equals("name") && e.getMessage().contains("used by an earlier rule"));
    }
  }

  /** The shipped rules' YAML with character edits, read as {@code alert.rules} from a file would be. */
  @Property(tries = 400)
  void mutatedRuleYamlParsesOrIsRefused(@ForAll("mutatedYaml") String yaml) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (RuntimeException e) {
      doc = null;
    }
    Assume.that(doc != null);
    assertParsesOrRefuses(Map.of(ConfigKeys.ALERT_RULES, doc));
  }

  @Provide
  Arbitrary<String> mutatedYaml() {
    return Mutations.mutated(Arbitraries.just(shippedYaml()));
  }

  /** The shipped rules' JSON with character edits, as {@code SWITCHBOARD_ALERT_RULES} would hold it. */
  @Property(tries = 1000)
  void mutatedRuleJsonParsesOrIsRefused(@ForAll("mutatedJson") String json) {
    assertParsesOrRefuses(Map.of(ConfigKeys.ALERT_RULES, json));
  }

  @Provide
  Arbitrary<String> mutatedJson() {
    return Mutations.mutated(shippedSubsets().map(JsonArray::encode));
  }

  @Property(tries = 1000)
  void exprParsesOrSaysWhy(@ForAll("exprText") String text) {
    Expr e;
    try {
      e = Expr.parse(text);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    // a parsed expression evaluates without throwing, whatever its fields hold
    for (Double v : new Double[] {null, 0.0, -0.0, 1.0, Double.NaN, Double.POSITIVE_INFINITY, -Double.MAX_VALUE}) {
      e.eval(f -> v);
    }
  }

  @Provide
  Arbitrary<String> exprText() {
    Arbitrary<String> valid = Arbitraries.of("errorRate", "latency.p95", "perNode.activeConnections / perNode.maxConnections",
        "(errorRate + 1) * -2.5e3 / latency.p95", "downNodes.downForMs - 60000");
    Arbitrary<String> random = Arbitraries.strings().withChars("()+-*/. eE0123456789abrtoR_").ofMaxLength(60);
    Arbitrary<String> deep = Combinators.combine(Arbitraries.integers().between(1, 20_000), Arbitraries.of("(", "-", "1+", "2*"))
        .as((d, open) -> open.repeat(d) + "errorRate" + (open.equals("(") ? ")".repeat(d) : ""));
    return Arbitraries.oneOf(valid, Mutations.mutated(valid), random, deep, Arbitraries.strings().all().ofMaxLength(40));
  }

  private static void assertParsesOrRefuses(Map<String, Object> settings) {
    try {
      RuleParser.fromConfig(DEFAULTS.with(settings));
    } catch (ConfigException e) {
      assertCodedRefusal(e);
      if (e.getMessage().contains("alert rule '")) {
        return;
      }
      assertThat(e.getMessage()).containsAnyOf("alert rule #", "must be a list of rules", "not valid JSON");
    }
  }

  private static void assertCodedRefusal(ConfigException e) {
    assertThat(e.key()).isEqualTo(ConfigKeys.ALERT_RULES);
    assertThat(e.getMessage()).contains(ConfigKeys.ALERT_RULES).doesNotContain("Exception", "java.", "io.switchboard");
  }

  private static String shippedYaml() {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    return yaml.dump(yaml.load(SHIPPED.encode()));
  }
}
