package io.switchboard.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.alert.AlertEvent;
import io.switchboard.common.alert.Silence;
import io.switchboard.common.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkPayloadsTest {
  static final long T0 = 1_700_000_000_000L;
  static final String FP = AlertEvent.fingerprint("R", Map.of("node", "n1"));
  static final AlertEvent FIRING = new AlertEvent(AlertEvent.idOf(FP, T0, "firing"), FP, "R", "critical", "firing", 0.2, 0.05,
      Map.of("node", "n1"), "rate 0.2", "desc", T0, null, T0);
  static final AlertEvent RESOLVED = new AlertEvent(AlertEvent.idOf(FP, T0, "resolved"), FP, "R", "critical", "resolved", 0.0, 0.05,
      Map.of("node", "n1"), "rate 0", "desc", T0, T0 + 5000, T0 + 5000);

  static SinkConfig sink(String json) {
    return SinkConfig.parse(new JsonArray().add(new JsonObject(json))).get(0);
  }

  @Test
  void pagerDutyTriggerAndResolveShareTheDedupKey() {
    SinkConfig pd = sink("{\"type\":\"pagerduty\",\"routingKey\":\"R0UT1NG\"}");
    assertThat(pd.url()).isEqualTo(SinkConfig.PAGERDUTY_URL);
    JsonObject t = SinkPayloads.pagerDuty(pd, FIRING);
    JsonObject r = SinkPayloads.pagerDuty(pd, RESOLVED);
    assertThat(t.getString("routing_key")).isEqualTo("R0UT1NG");
    assertThat(t.getString("event_action")).isEqualTo("trigger");
    assertThat(r.getString("event_action")).isEqualTo("resolve");
    assertThat(t.getString("dedup_key")).isEqualTo(r.getString("dedup_key")).isEqualTo(FP + "-" + T0);
    assertThat(t.getJsonObject("payload").getString("summary")).isEqualTo("rate 0.2");
    assertThat(t.getJsonObject("payload").getString("severity")).isEqualTo("critical");
    assertThat(t.getJsonObject("payload").getString("source")).isEqualTo("n1");
    assertThat(r.containsKey("payload")).isFalse();
  }

  @Test
  void slackWebhookAndAlertmanagerShapes() {
    assertThat(SinkPayloads.slack(FIRING).getString("text")).contains("FIRING").contains("[critical] R: rate 0.2").contains("node=n1");
    assertThat(SinkPayloads.slack(RESOLVED).getString("text")).contains("RESOLVED");
    assertThat(SinkPayloads.body(sink("{\"type\":\"webhook\",\"url\":\"http://h/x\"}"), FIRING)).isEqualTo(FIRING.toJson());
    JsonObject am = SinkPayloads.alertmanager(FIRING);
    assertThat(am.getJsonObject("labels").getMap()).containsEntry("alertname", "R").containsEntry("severity", "critical").containsEntry("node", "n1");
    assertThat(am.containsKey("endsAt")).isFalse();
    assertThat(SinkPayloads.alertmanager(RESOLVED).getString("endsAt")).isEqualTo("2023-11-14T22:13:25Z");
    assertThat(sink("{\"type\":\"alertmanager\",\"url\":\"http://am:9093/\"}").url()).isEqualTo("http://am:9093/api/v2/alerts");
  }

  @Test
  void badSinksAreRefusedWithoutShowingTheirSecrets() {
    assertThatThrownBy(() -> sink("{\"type\":\"slack\",\"url\":\"hooks.slack.com/services/T0/B0/SECRET\"}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sink #1 (slack)").hasMessageNotContaining("SECRET");
    assertThatThrownBy(() -> sink("{\"type\":\"pagerduty\"}")).hasMessageContaining("routingKey is missing");
    assertThatThrownBy(() -> sink("{\"type\":\"email\",\"url\":\"http://h\"}")).hasMessageContaining("sink #1 (email)")
        .hasMessageContaining("'url' does not apply to an email sink");
    assertThatThrownBy(() -> sink("{\"type\":\"email\",\"from\":\"a@b.c\",\"to\":\"d@e.f\"}")).hasMessageContaining("host is missing");
    assertThatThrownBy(() -> sink("{\"type\":\"email\",\"host\":\"h\",\"tls\":\"maybe\",\"from\":\"a@b.c\",\"to\":\"d@e.f\"}"))
        .hasMessageContaining("tls 'maybe' is not one of starttls, smtps, none");
    assertThatThrownBy(() -> sink("{\"type\":\"email\",\"host\":\"h\",\"password\":\"PW-SECRET\",\"from\":\"a@b.c\",\"to\":\"d@e.f\"}"))
        .hasMessageContaining("username and password go together").hasMessageNotContaining("PW-SECRET");
    assertThatThrownBy(() -> sink("{\"type\":\"webhook\",\"url\":\"http://h\",\"password\":\"x\"}"))
        .hasMessageContaining("field 'password' belongs to email sinks only");
    SinkConfig mail = sink("{\"type\":\"email\",\"host\":\"smtp.example.com\",\"tls\":\"smtps\",\"username\":\"u\","
        + "\"password\":\"PW-SECRET\",\"from\":\"a@b.c\",\"to\":[\"d@e.f\",\"g@h.i\"]}");
    assertThat(mail.smtp().port()).isEqualTo(465);
    assertThat(mail.smtp().to()).containsExactly("d@e.f", "g@h.i");
    assertThat(mail.toString() + mail.smtp()).doesNotContain("PW-SECRET");
    assertThatThrownBy(() -> sink("{\"type\":\"webhook\",\"url\":\"http://h\",\"retries\":3}")).hasMessageContaining("unknown field 'retries'");
    SinkConfig s = sink("{\"type\":\"webhook\",\"url\":\"http://h/tok\",\"backoffInitial\":\"100ms\",\"backoffMax\":\"1s\"}");
    assertThat(List.of(s.backoffMs(1), s.backoffMs(2), s.backoffMs(4), s.backoffMs(10))).containsExactly(100L, 200L, 800L, 1000L);
    assertThat(s.toString()).doesNotContain("tok");
  }

  static final SilenceLimits LIMITS = new SilenceLimits(1000, 16, 256, 30L * 86_400_000, 10_000);

  @Test
  void silencesValidateAndMatch() {
    Silence s = Silences.parse(new JsonObject().put("matchers", new JsonArray()
        .add(new JsonObject().put("name", "alertname").put("value", "Switchboard.*").put("isRegex", true))
        .add(new JsonObject().put("name", "node").put("value", "n1"))).put("duration", "2h"), "id1", T0, LIMITS);
    assertThat(s.endsAt()).isEqualTo(T0 + 7_200_000);
    assertThat(s.mutes(Map.of("alertname", "SwitchboardHeapHigh", "node", "n1"), T0 + 1)).isTrue();
    assertThat(s.mutes(Map.of("alertname", "SwitchboardHeapHigh", "node", "n2"), T0 + 1)).isFalse();
    assertThat(s.mutes(Map.of("alertname", "SwitchboardHeapHigh", "node", "n1"), T0 + 7_200_000)).isFalse();
    assertThat(Silence.fromJson(s.toJson())).isEqualTo(s);
    assertThatThrownBy(() -> Silences.parse(new JsonObject().put("matchers", new JsonArray().add(new JsonObject().put("name", "a").put("value", "b"))), "x", T0, LIMITS))
        .hasMessageContaining("endsAt").hasMessageContaining("duration");
    assertThatThrownBy(() -> Silences.parse(new JsonObject().put("matchers", new JsonArray().add(new JsonObject().put("name", "a b").put("value", "b"))).put("duration", "1h"), "x", T0, LIMITS))
        .hasMessageContaining("label name");
    assertThatThrownBy(() -> Silences.parse(new JsonObject().put("matchers", new JsonArray().add(new JsonObject().put("name", "a").put("value", "b"))).put("endsAt", T0 - 1), "x", T0, LIMITS))
        .hasMessageContaining("future");
    assertThatThrownBy(() -> Silences.parse("nope", "x", T0, LIMITS)).hasMessageContaining("JSON object");
  }

  @Test
  void groupedTransitionsOfOneRuleAreOneNotificationExceptForPagerDuty() {
    AlertEvent other = new AlertEvent(AlertEvent.idOf("fp2", T0, "firing"), "fp2", "R", "critical", "firing", 0.3, 0.05,
        Map.of("node", "n2"), "s2", "", T0, null, T0);
    SinkConfig webhook = sink("{\"type\":\"webhook\",\"url\":\"http://h/x\"}");
    JsonObject grouped = (JsonObject) SinkPayloads.group(webhook, List.of(FIRING, other));
    assertThat(grouped.getString("rule")).isEqualTo("R");
    assertThat(grouped.getJsonArray("alerts")).hasSize(2);
    assertThat(((JsonArray) SinkPayloads.group(sink("{\"type\":\"alertmanager\",\"url\":\"http://am\"}"), List.of(FIRING, other)))).hasSize(2);
    assertThat(((JsonObject) SinkPayloads.group(sink("{\"type\":\"slack\",\"url\":\"http://s\"}"), List.of(FIRING, other)))
        .getString("text").split("\n")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(SinkPayloads.groups(sink("{\"type\":\"pagerduty\",\"routingKey\":\"k\"}"))).isFalse();
    assertThat(SinkPayloads.group(webhook, List.of(FIRING))).isEqualTo(FIRING.toJson());
  }
}
