package io.switchboard.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** k8s/prometheus/switchboard-rules.yaml: valid for promtool, and the same rules (names, severities) as the defaults. */
class PrometheusRulesTest {
  static final Path RULES = Path.of("..", "k8s", "prometheus", "switchboard-rules.yaml");
  static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @Test
  void promtoolAcceptsTheRulesFile() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "skipped: promtool is not installed (apt-get install prometheus)");
    Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "rules", RULES.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS: 10 rules found");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theFileHasTheSameRulesAsTheShippedDefaults() throws Exception {
    Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(RULES));
    List<String> names = new ArrayList<>();
    List<String> severities = new ArrayList<>();
    for (Map<String, Object> g : (List<Map<String, Object>>) doc.get("groups")) {
      for (Map<String, Object> r : (List<Map<String, Object>>) g.get("rules")) {
        names.add((String) r.get("alert"));
        severities.add(((Map<String, String>) r.get("labels")).get("severity"));
      }
    }
    assertThat(names).containsExactlyElementsOf(RuleParser.defaults().stream().map(Rule::name).toList());
    assertThat(severities).containsExactlyElementsOf(RuleParser.defaults().stream().map(Rule::severity).toList());
  }
}
