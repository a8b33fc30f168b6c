package io.switchboard.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwitchboardConfigTest {

  @Test
  void envNamesFollowTheDesignMapping() {
    assertThat(ConfigKey.envName("http.port")).isEqualTo("SWITCHBOARD_HTTP_PORT");
    assertThat(ConfigKey.envName("hub.rateLimit")).isEqualTo("SWITCHBOARD_HUB_RATE_LIMIT");
    assertThat(ConfigKey.envName("hub.execution.timeout")).isEqualTo("SWITCHBOARD_HUB_EXECUTION_TIMEOUT");
    assertThat(ConfigKey.envName("services")).isEqualTo("SWITCHBOARD_SERVICES");
    assertThat(ConfigKey.envName("hub.auth.agentTokens")).isEqualTo("SWITCHBOARD_HUB_AUTH_AGENT_TOKENS");
  }

  @Test
  void everyKeyHasAParsableDefault() {
    SwitchboardConfig cfg = SwitchboardConfig.defaults();
    assertThat(cfg.getInt(ConfigKeys.HTTP_PORT)).isEqualTo(8080);
    assertThat(cfg.getList(ConfigKeys.SERVICES)).containsExactly("hub", "stats", "alert");
    assertThat(cfg.getDurationMs(ConfigKeys.HUB_EXECUTION_TIMEOUT)).isEqualTo(300_000);
    assertThat(cfg.getBytes(ConfigKeys.HUB_MAX_MESSAGE_BYTES)).isEqualTo(1024 * 1024);
    assertThat(cfg.getString(ConfigKeys.CLUSTER_MODE)).isEqualTo("loopback");
  }

  @Test
  void environmentOverridesFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sb.yaml");
    Files.writeString(file, "http:\n  port: 9000\nhub:\n  rateLimit: 50\n  execution:\n    timeout: 2m\n");
    SwitchboardConfig cfg = SwitchboardConfig.load(file, Map.of("SWITCHBOARD_HUB_RATE_LIMIT", "0123"));
    assertThat(cfg.getInt(ConfigKeys.HTTP_PORT)).isEqualTo(9000);
    assertThat(cfg.getInt(ConfigKeys.HUB_RATE_LIMIT)).isEqualTo(123);
    assertThat(cfg.sourceOf(ConfigKeys.HUB_RATE_LIMIT)).contains("SWITCHBOARD_HUB_RATE_LIMIT");
    assertThat(cfg.getDurationMs(ConfigKeys.HUB_EXECUTION_TIMEOUT)).isEqualTo(120_000);
  }

  @Test
  void stringsStayStringsUntilTheTypeIsKnown() {
    SwitchboardConfig cfg = SwitchboardConfig.load(null, Map.of("SWITCHBOARD_NODE_NAME", "0123",
        "SWITCHBOARD_CLUSTER_NAME", "true"));
    assertThat(cfg.getString(ConfigKeys.NODE_NAME)).isEqualTo("0123");
    assertThat(cfg.getString(ConfigKeys.CLUSTER_NAME)).isEqualTo("true");
  }

  @Test
  void invalidValueNamesKeyEnvAndValue() {
    assertThatThrownBy(() -> SwitchboardConfig.load(null, Map.of("SWITCHBOARD_HTTP_PORT", "eighty")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port").hasMessageContaining("SWITCHBOARD_HTTP_PORT").hasMessageContaining("eighty");
    assertThatThrownBy(() -> SwitchboardConfig.load(null, Map.of("SWITCHBOARD_HTTP_PORT", "70000")))
        .hasMessageContaining("http.port").hasMessageContaining("at most 65535");
    assertThatThrownBy(() -> SwitchboardConfig.load(null, Map.of("SWITCHBOARD_CLUSTER_MODE", "carrier-pigeon")))
        .hasMessageContaining("cluster.mode").hasMessageContaining("loopback");
    assertThatThrownBy(() -> SwitchboardConfig.load(null, Map.of("SWITCHBOARD_SERVICES", "hub,billing")))
        .hasMessageContaining("services").hasMessageContaining("billing");
    assertThatThrownBy(() -> SwitchboardConfig.load(null, Map.of("SWITCHBOARD_HUB_EXECUTION_TIMEOUT", "soon")))
        .hasMessageContaining("hub.execution.timeout");
  }

  /** Found by SwitchboardConfigPropertyTest: a size whose unit overflows a long escaped as an arithmetic error. */
  @Test
  void aSizeTooLargeForALongIsRefusedByItsKey() {
    assertThatThrownBy(() -> SwitchboardConfig.load(null, Map.of("SWITCHBOARD_HUB_MAX_MESSAGE_BYTES", "99999999999 GiB")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("hub.maxMessageBytes").hasMessageContaining("too large");
    assertThatThrownBy(() -> SwitchboardConfig.parseBytes("99999999999999999999")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
  }

  /** Found by SwitchboardConfigPropertyTest: a file that is not UTF-8 was refused with the decoder's class name. */
  @Test
  void aFileThatIsNotUtf8IsRefusedInPlainWords(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sb.yaml");
    Files.write(file, new byte[] {(byte) 0x80, 's', ':', ' ', 'h', 'u', 'b', '\n'});
    assertThatThrownBy(() -> SwitchboardConfig.load(file, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid UTF-8").hasMessageNotContaining("Exception");
    assertThatThrownBy(() -> SwitchboardConfig.load(dir.resolve("missing.yaml"), Map.of()))
        .hasMessageContaining("no such file").hasMessageNotContaining("Exception");
  }

  @Test
  void secretValuesAreNeverEchoedInErrors() {
    // a list of tokens cannot be malformed, so use a JSON secret
    assertThatThrownBy(() -> SwitchboardConfig.load(null, Map.of("SWITCHBOARD_ALERT_SINKS", "[{\"url\": \"https://x/?key=s3cr3t\"")))
        .hasMessageContaining("alert.sinks").hasMessageNotContaining("s3cr3t");
  }

  @Test
  void unknownYamlKeyIsRefusedByName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sb.yaml");
    Files.writeString(file, "hub:\n  ratelimit: 5\n");
    assertThatThrownBy(() -> SwitchboardConfig.load(file, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("hub.ratelimit").hasMessageContaining("unknown");
  }

  @Test
  void brokenYamlIsReported(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sb.yaml");
    Files.writeString(file, "hub: [unclosed\n");
    assertThatThrownBy(() -> SwitchboardConfig.load(file, Map.of())).hasMessageContaining("not valid YAML");
  }

  @Test
  void maskedJsonHidesSecretsAndNestsPaths() {
    SwitchboardConfig cfg = SwitchboardConfig.load(null, Map.of("SWITCHBOARD_HUB_AUTH_TOKENS", "alpha,beta"));
    assertThat(cfg.getList(ConfigKeys.HUB_AUTH_TOKENS)).containsExactly("alpha", "beta");
    JsonObject json = cfg.toMaskedJson();
    assertThat(json.getJsonObject("hub").getJsonObject("auth").getValue("tokens")).isEqualTo("****");
    assertThat(json.encode()).doesNotContain("alpha").doesNotContain("beta");
    assertThat(json.getJsonObject("http").getInteger("port")).isEqualTo(8080);
  }

  @Test
  void durationsAndSizesAcceptUnits() {
    assertThat(SwitchboardConfig.parseDuration("500ms")).isEqualTo(500);
    assertThat(SwitchboardConfig.parseDuration("2s")).isEqualTo(2000);
    assertThat(SwitchboardConfig.parseDuration("1.5m")).isEqualTo(90_000);
    assertThat(SwitchboardConfig.parseDuration(250)).isEqualTo(250);
    assertThat(SwitchboardConfig.parseBytes("64KiB")).isEqualTo(65536);
    assertThat(SwitchboardConfig.parseBytes("1MB")).isEqualTo(1 << 20);
    assertThatThrownBy(() -> SwitchboardConfig.parseDuration("-1s")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jsonKeysAcceptJsonFromTheEnvironment() {
    SwitchboardConfig cfg = SwitchboardConfig.load(null, Map.of("SWITCHBOARD_ALERT_RULES", "[{\"name\":\"x\"}]"));
    assertThat(cfg.getJson(ConfigKeys.ALERT_RULES)).isInstanceOf(JsonArray.class);
    assertThat(List.of(cfg.getJson(ConfigKeys.ALERT_RULES).toString())).allMatch(s -> s.contains("\"x\""));
  }
}
