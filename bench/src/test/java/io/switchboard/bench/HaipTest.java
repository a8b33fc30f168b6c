package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class HaipTest {
  @Test
  void messageTextIsAValidEnvelope() {
    String text = Haip.message("m-1", "s-1", "t-1", 7, "USER", Haip.payloadOfSize(64));
    JsonObject f = new JsonObject(text);
    assertThat(f.getString("type")).isEqualTo("MESSAGE");
    assertThat(f.getString("seq")).isEqualTo("7");
    assertThat(f.getString("transaction")).isEqualTo("t-1");
    assertThat(f.getString("payload")).hasSize(64);
    assertThat(Long.parseLong(f.getString("ts"))).isPositive();
    assertThat(Haip.sniffType(text)).isEqualTo("MESSAGE");
    assertThat(Haip.isMessage(text)).isTrue();
  }

  @Test
  void agentHaiOffersTheToolWithAStringSchema() {
    JsonObject p = Haip.hai("h", "s", 1, "bench_echo").getJsonObject("payload");
    assertThat(p.getString("role")).isEqualTo("agent");
    assertThat(p.getJsonArray("tools").getJsonObject(0).getJsonObject("inputSchema").getString("type"))
        .isEqualTo("string");
    assertThat(Haip.hai("h", "s", 1, null).getJsonObject("payload").containsKey("role")).isFalse();
  }

  @Test
  void sniffsControlTypesAndGivesUpOnNonCompactJson() {
    assertThat(Haip.sniffType(Haip.envelope("i", "s", null, 1, "SYSTEM", "PONG", new JsonObject()).encode()))
        .isEqualTo("PONG");
    assertThat(Haip.sniffType("{\"type\" : \"HAI\"}")).isNull();
  }

  @Test
  void benchDurationsFollowTheConfigurationRule() {
    // one parser for bench options and configuration: a bare number is milliseconds in both
    assertThat(SwitchboardConfig.parseDuration("15s")).isEqualTo(15_000);
    assertThat(SwitchboardConfig.parseDuration("500ms")).isEqualTo(500);
    assertThat(SwitchboardConfig.parseDuration("2m")).isEqualTo(120_000);
    assertThat(SwitchboardConfig.parseDuration("1500")).isEqualTo(1_500);
    assertThatThrownBy(() -> SwitchboardConfig.parseDuration("fast")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void metricSumsOnlyTheMatchingSamples() {
    String text = "# HELP jvm_memory_used_bytes x\n"
        + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 100.0\n"
        + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2.5E3\n"
        + "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 999.0\n";
    assertThat(NodeProbe.sumMetric(text, "jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(2600.0);
  }
}
