package io.switchboard.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** How alert events print: one line per transition for --follow, one row per alert in the table. */
class AlertLinesTest {
  private static final JsonObject FIRING = new JsonObject("""
      {"id":"e1","rule":"HeapHigh","severity":"warning","state":"firing","value":0.9312,"threshold":0.9,
       "labels":{"alertname":"HeapHigh","severity":"warning","node":"n1","team":"platform"},
       "annotations":{"summary":"heap at 0.9312\\nof max","description":""},
       "startsAt":1764040123000,"endsAt":null,"timestamp":1764040123456}""");

  @Test
  void aTransitionIsOneLine() {
    assertThat(AlertsCommand.line(FIRING)).isEqualTo(
        "2025-11-25T03:08:43Z firing HeapHigh severity=warning value=0.9312 threshold=0.9 node=n1,team=platform -- heap at 0.9312 of max");
  }

  @Test
  void aResolutionIsTimedByItsEnd() {
    JsonObject resolved = FIRING.copy().put("state", "resolved").put("endsAt", 1764040183000L).put("value", null)
        .put("annotations", new JsonObject());
    assertThat(AlertsCommand.line(resolved)).isEqualTo(
        "2025-11-25T03:09:43Z resolved HeapHigh severity=warning value=- threshold=0.9 node=n1,team=platform");
  }

  @Test
  void theTableHasOneRowPerAlert() {
    Table t = AlertsCommand.table();
    AlertsCommand.row(t, FIRING.copy().put("silenced", true));
    String[] lines = t.render().split("\n");
    assertThat(lines[0]).startsWith("TIME").contains("RULE").contains("SILENCED");
    assertThat(lines[1]).contains("HeapHigh").contains("firing").contains("node=n1,team=platform").contains("true");
  }
}
