package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad configuration stops start-up with a message that names the key and the value, and a non-zero exit. */
class ConfigErrorIT {

  @Test
  void invalidEnvironmentValueNamesTheKey() throws Exception {
    try (NodeProcess n = NodeProcess.start("bad", 0, Map.of("SWITCHBOARD_HTTP_PORT", "eighty", "SWITCHBOARD_CLUSTER_MODE", "none"))) {
      int code = n.awaitExit(Duration.ofSeconds(30));
      assertThat(code).isNotZero();
      assertThat(n.output()).contains("http.port").contains("SWITCHBOARD_HTTP_PORT").contains("eighty");
    }
  }

  @Test
  void invalidFileValueNamesTheKeyAndFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, "hub:\n  maxConnections: -5\n");
    try (NodeProcess n = NodeProcess.start("bad", 0, Map.of("SWITCHBOARD_CLUSTER_MODE", "none"), "--config", file.toString())) {
      assertThat(n.awaitExit(Duration.ofSeconds(30))).isNotZero();
      assertThat(n.output()).contains("hub.maxConnections").contains("-5").contains(file.toString());
    }
  }

  @Test
  void unknownKeyAndMissingFileAreRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "htp:\n  port: 9\n");
    try (NodeProcess n = NodeProcess.start("bad", 0, Map.of("SWITCHBOARD_CONFIG", file.toString()))) {
      assertThat(n.awaitExit(Duration.ofSeconds(30))).isNotZero();
      assertThat(n.output()).contains("unknown configuration key 'htp'");
    }
    try (NodeProcess n = NodeProcess.start("bad", 0, Map.of(), "--config", dir.resolve("absent.yaml").toString())) {
      assertThat(n.awaitExit(Duration.ofSeconds(30))).isNotZero();
      assertThat(n.output()).contains("absent.yaml");
    }
  }

  @Test
  void malformedAlertRuleStopsStartUpNamingTheRule() throws Exception {
    String rules = "[{\"name\":\"BrokenRule\",\"expr\":\"noSuchField\",\"op\":\">\",\"threshold\":1}]";
    try (NodeProcess n = NodeProcess.start("bad", 0, Map.of("SWITCHBOARD_CLUSTER_MODE", "none",
        "SWITCHBOARD_HTTP_PORT", "0", "SWITCHBOARD_ALERT_RULES", rules))) {
      assertThat(n.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(n.output()).contains("alert.rules").contains("BrokenRule");
    }
  }

  @Test
  void aMisspeltSwitchboardVariableStopsStartUpNamingTheNearestKey() throws Exception {
    try (NodeProcess n = NodeProcess.start("bad", 0, Map.of("SWITCHBOARD_CLUSTER_MODE", "none",
        "SWITCHBOARD_HTTP_PORT", "0", "SWITCHBOARD_HUB_RATELIMIT", "5"))) {
      assertThat(n.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(n.output()).contains("SWITCHBOARD_HUB_RATELIMIT").contains("hub.rateLimit").contains("SWITCHBOARD_HUB_RATE_LIMIT");
    }
  }

  /** --print-config runs the validation start-up runs: the same bad rule or sink is exit 2 naming it. */
  @Test
  void printConfigRefusesABadRuleAndABadSinkAsStartUpDoes(@TempDir Path dir) throws Exception {
    Path rule = dir.resolve("rule.yaml");
    Files.writeString(rule, "alert:\n  rules:\n    - {name: ArrowRule, expr: errorRate, op: \"=>\", threshold: 1}\n");
    Path sink = dir.resolve("sink.yaml");
    Files.writeString(sink, "alert:\n  sinks:\n    - {type: email, host: smtp.example.com, from: a@example.com, to: b@example.com,"
        + " username: u, password: MailSecret9, tls: sometimes}\n");
    for (Path file : List.of(rule, sink)) {
      String expected = file == rule ? "ArrowRule" : "sink #1 (email)";
      try (NodeProcess p = NodeProcess.start("print", 0, Map.of("SWITCHBOARD_CLUSTER_MODE", "none"), "--print-config",
          "--config", file.toString());
          NodeProcess n = NodeProcess.start("bad", 0, Map.of("SWITCHBOARD_CLUSTER_MODE", "none", "SWITCHBOARD_HTTP_PORT", "0"),
              "--config", file.toString())) {
        assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.output()).isEqualTo(2);
        assertThat(n.awaitExit(Duration.ofSeconds(60))).as(n.output()).isEqualTo(2);
        assertThat(p.output()).contains(expected).doesNotContain("MailSecret9");
        assertThat(n.output()).contains(expected).doesNotContain("MailSecret9");
      }
    }
  }
}
