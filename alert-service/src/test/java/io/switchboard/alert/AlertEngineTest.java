package io.switchboard.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.alert.AlertEngine.Result;
import io.switchboard.common.alert.AlertEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertEngineTest {
  private static final long T0 = 1_700_000_000_000L;

  private static Rule rule(String yamlish) {
    return RuleParser.parse(new JsonArray().add(new JsonObject(yamlish))).get(0);
  }

  private static JsonObject stats(double errorRate, int frames) {
    return new JsonObject().put("errorRate", errorRate).put("framesInWindow", frames).put("timestamp", T0);
  }

  private static Result eval(AlertEngine e, JsonObject stats, long t) {
    return e.evaluate(stats, t, labels -> false);
  }

  @Test
  void forDelaysFiringAndAFlapBackResetsPending() {
    AlertEngine e = new AlertEngine(List.of(rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05,\"for\":\"10s\"}")));
    assertThat(eval(e, stats(0.2, 100), T0).transitions()).isEmpty();
    assertThat(e.states().values()).singleElement().extracting(AlertState::phase).isEqualTo(AlertState.Phase.PENDING);
    assertThat(eval(e, stats(0.01, 100), T0 + 5_000).removed()).hasSize(1); // back to inactive: pending reset
    assertThat(eval(e, stats(0.2, 100), T0 + 6_000).transitions()).isEmpty();
    assertThat(eval(e, stats(0.2, 100), T0 + 15_000).transitions()).isEmpty();
    Result fired = eval(e, stats(0.2, 100), T0 + 16_000);
    assertThat(fired.transitions()).singleElement().satisfies(t -> {
      assertThat(t.event().state()).isEqualTo("firing");
      assertThat(t.event().startsAt()).isEqualTo(T0 + 16_000);
      assertThat(t.event().value()).isEqualTo(0.2);
      assertThat(t.event().endsAt()).isNull();
    });
    assertThat(eval(e, stats(0.3, 100), T0 + 17_000).transitions()).isEmpty(); // still firing: no repeat
    Result resolved = eval(e, stats(0.0, 100), T0 + 18_000);
    assertThat(resolved.transitions()).singleElement().satisfies(t -> {
      assertThat(t.event().state()).isEqualTo("resolved");
      assertThat(t.event().startsAt()).isEqualTo(T0 + 16_000);
      assertThat(t.event().endsAt()).isEqualTo(T0 + 18_000);
    });
    assertThat(e.states()).isEmpty();
  }

  @Test
  void clearThresholdGivesHysteresis() {
    AlertEngine e = new AlertEngine(List.of(rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05,\"clearThreshold\":0.03}")));
    assertThat(eval(e, stats(0.06, 100), T0).transitions()).hasSize(1);
    assertThat(eval(e, stats(0.04, 100), T0 + 1000).transitions()).isEmpty(); // below threshold, above clear
    assertThat(eval(e, stats(0.051, 100), T0 + 2000).transitions()).isEmpty();
    assertThat(eval(e, stats(0.03, 100), T0 + 3000).transitions()).singleElement()
        .extracting(t -> t.event().state()).isEqualTo("resolved");
  }

  @Test
  void keepFiringForHoldsThroughShortDips() {
    AlertEngine e = new AlertEngine(List.of(rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05,\"keepFiringFor\":\"5s\"}")));
    assertThat(eval(e, stats(0.5, 100), T0).transitions()).hasSize(1);
    assertThat(eval(e, stats(0.0, 100), T0 + 1000).transitions()).isEmpty(); // clearing starts
    assertThat(eval(e, stats(0.5, 100), T0 + 3000).transitions()).isEmpty(); // back: clearing reset
    assertThat(eval(e, stats(0.0, 100), T0 + 4000).transitions()).isEmpty();
    assertThat(eval(e, stats(0.0, 100), T0 + 8999).transitions()).isEmpty();
    assertThat(eval(e, stats(0.0, 100), T0 + 9000).transitions()).singleElement()
        .satisfies(t -> assertThat(t.event().endsAt()).isEqualTo(T0 + 9000));
  }

  @Test
  void minVolumeKeepsOneBadFrameOnAnIdleClusterQuietAndLowVolumeResolves() {
    AlertEngine e = new AlertEngine(List.of(rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05,"
        + "\"minVolume\":{\"field\":\"framesInWindow\",\"min\":20}}")));
    assertThat(eval(e, stats(1.0, 1), T0).transitions()).isEmpty();
    assertThat(eval(e, stats(1.0, 19), T0 + 1000).transitions()).isEmpty();
    assertThat(eval(e, stats(0.1, 20), T0 + 2000).transitions()).hasSize(1);
    assertThat(eval(e, stats(0.1, 3), T0 + 3000).transitions()).singleElement()
        .extracting(t -> t.event().state()).isEqualTo("resolved");
  }

  @Test
  void perNodeRulesTrackEachNodeAndResolveWhenTheNodeLeaves() {
    AlertEngine e = new AlertEngine(RuleParser.defaults().stream().filter(r -> r.name().equals("SwitchboardConnectionsNearLimit")).toList());
    JsonObject s = new JsonObject().put("timestamp", T0).put("perNode", new JsonArray()
        .add(new JsonObject().put("name", "a").put("activeConnections", 90).put("maxConnections", 100))
        .add(new JsonObject().put("name", "b").put("activeConnections", 10).put("maxConnections", 100)));
    assertThat(eval(e, s, T0).transitions()).isEmpty();
    Result fired = eval(e, s, T0 + 60_000);
    assertThat(fired.transitions()).singleElement().satisfies(t -> {
      assertThat(t.event().labels()).containsEntry("node", "a");
      assertThat(t.event().value()).isEqualTo(0.9);
      assertThat(t.event().summary()).isEqualTo("Node a at 0.9 of its connection limit");
    });
    JsonObject gone = new JsonObject().put("timestamp", T0).put("perNode", new JsonArray()
        .add(new JsonObject().put("name", "b").put("activeConnections", 10).put("maxConnections", 100)));
    Result resolved = eval(e, gone, T0 + 61_000);
    assertThat(resolved.transitions()).singleElement().satisfies(t -> {
      assertThat(t.event().state()).isEqualTo("resolved");
      assertThat(t.event().value()).isNull();
    });
  }

  @Test
  void nodeDownFiresPerDownNode() {
    AlertEngine e = new AlertEngine(RuleParser.defaults().stream().filter(r -> r.name().equals("SwitchboardNodeDown")).toList());
    JsonObject s = new JsonObject().put("timestamp", T0).put("nodesDown", 1).put("downNodes", new JsonArray()
        .add(new JsonObject().put("nodeId", "x").put("name", "n2").put("since", T0 - 4000).put("reason", "left")));
    Result r = eval(e, s, T0);
    assertThat(r.transitions()).singleElement().satisfies(t -> {
      assertThat(t.event().labels()).containsEntry("node", "n2");
      assertThat(t.event().severity()).isEqualTo("critical");
      assertThat(t.event().value()).isEqualTo(4000.0);
    });
    assertThat(eval(e, s.copy().put("downNodes", new JsonArray()), T0 + 1000).transitions()).singleElement()
        .extracting(t -> t.event().state()).isEqualTo("resolved");
  }

  @Test
  void allConnectionsDroppedNeedsRecentConnections() {
    AlertEngine e = new AlertEngine(RuleParser.defaults().stream().filter(r -> r.name().equals("SwitchboardAllConnectionsDropped")).toList());
    JsonObject none = new JsonObject().put("activeConnections", 0);
    // an idle cluster that never had connections: nothing
    assertThat(eval(e, none, T0).transitions()).isEmpty();
    assertThat(eval(e, none, T0 + 60_000).transitions()).isEmpty();
    assertThat(eval(e, new JsonObject().put("activeConnections", 5), T0 + 61_000).transitions()).isEmpty();
    assertThat(eval(e, none, T0 + 62_000).transitions()).isEmpty(); // pending for 30 s
    assertThat(eval(e, none, T0 + 92_000).transitions()).singleElement()
        .extracting(t -> t.event().state()).isEqualTo("firing");
    // stays firing while none are connected, even past the 5 min look-back
    assertThat(eval(e, none, T0 + 900_000).transitions()).isEmpty();
    assertThat(eval(e, new JsonObject().put("activeConnections", 1), T0 + 901_000).transitions()).singleElement()
        .extracting(t -> t.event().state()).isEqualTo("resolved");
  }

  @Test
  void idsAreDeterministicAndRestoredStateContinues() {
    Rule r = rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05}");
    AlertEngine a = new AlertEngine(List.of(r));
    AlertEngine b = new AlertEngine(List.of(r));
    AlertEvent fa = eval(a, stats(0.5, 100), T0).transitions().get(0).event();
    AlertEvent fb = eval(b, stats(0.7, 100), T0).transitions().get(0).event();
    assertThat(fa.id()).isEqualTo(fb.id()).isEqualTo(AlertEvent.idOf(fa.fingerprint(), T0, "firing"));
    assertThat(fa.fingerprint()).isEqualTo(AlertEvent.fingerprint("R", Map.of()));
    // a new leader restores the persisted state (through JSON) and resolves the same episode
    AlertEngine c = new AlertEngine(List.of(r));
    c.restore(a.states().values().stream().map(s -> AlertState.fromJson(new JsonObject(s.toJson().encode()))).toList());
    assertThat(eval(c, stats(0.6, 100), T0 + 1000).transitions()).isEmpty();
    AlertEvent resolved = eval(c, stats(0.0, 100), T0 + 2000).transitions().get(0).event();
    assertThat(resolved.startsAt()).isEqualTo(T0);
    assertThat(resolved.id()).isEqualTo(AlertEvent.idOf(fa.fingerprint(), T0, "resolved")).isNotEqualTo(fa.id());
    assertThat(AlertEvent.fromJson(resolved.toJson())).isEqualTo(resolved);
  }

  @Test
  void silencedFiringIsNotNotifiedAndItsResolutionFollows() {
    AlertEngine e = new AlertEngine(List.of(rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05,\"labels\":{\"team\":\"x\"}}")));
    Result f = e.evaluate(stats(0.5, 100), T0, l -> l.get("alertname").equals("R") && l.get("team").equals("x"));
    assertThat(f.transitions()).singleElement().extracting(AlertEngine.Transition::notified).isEqualTo(false);
    Result r = e.evaluate(stats(0.0, 100), T0 + 1000, l -> false);
    assertThat(r.transitions()).singleElement().extracting(AlertEngine.Transition::notified).isEqualTo(false);
  }

  @Test
  void aRemovedRuleResolvesItsFiringAlertOnceWithReasonRuleRemoved() {
    Rule r = rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05}");
    Rule other = rule("{\"name\":\"Other\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.5}");
    AlertEngine e = new AlertEngine(List.of(r, other));
    AlertEvent firing = eval(e, stats(0.2, 100), T0).transitions().get(0).event();
    e.replaceRules(List.of(other));
    Result gone = eval(e, stats(0.2, 100), T0 + 1_000);
    assertThat(gone.transitions()).singleElement().satisfies(t -> {
      assertThat(t.event().state()).isEqualTo("resolved");
      assertThat(t.event().rule()).isEqualTo("R");
      assertThat(t.event().reason()).isEqualTo(AlertEvent.RULE_REMOVED);
      assertThat(t.event().startsAt()).isEqualTo(firing.startsAt());
      assertThat(t.event().endsAt()).isEqualTo(T0 + 1_000);
      assertThat(t.event().id()).isEqualTo(AlertEvent.idOf(firing.fingerprint(), firing.startsAt(), "resolved"));
      assertThat(t.notified()).isTrue();
    });
    assertThat(gone.removed()).containsExactly(firing.fingerprint());
    assertThat(eval(e, stats(0.2, 100), T0 + 2_000).transitions()).isEmpty(); // once only
    assertThat(e.states()).isEmpty();
  }

  @Test
  void aNewLeaderResolvesTheAlertsOfARuleItsReloadedRulesNoLongerHave() {
    Rule r = rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05}");
    AlertEngine old = new AlertEngine(List.of(r));
    eval(old, stats(0.2, 100), T0);
    AlertEngine next = new AlertEngine(List.of());
    next.restore(old.states().values());
    assertThat(eval(next, stats(0.2, 100), T0 + 1_000).transitions()).singleElement()
        .satisfies(t -> assertThat(t.event().reason()).isEqualTo(AlertEvent.RULE_REMOVED));
  }

  @Test
  void aChangedThresholdKeepsTheEpisodeOfTheSameNameAndLabels() {
    AlertEngine e = new AlertEngine(List.of(rule("{\"name\":\"R\",\"expr\":\"errorRate\",\"op\":\">\",\"threshold\":0.05}")));
    AlertEvent firing = eval(e, stats(0.2, 100), T0).transitions().get(0).event();
    e.replaceRules(List.of(rule("{\"name\":\"R\",\"expr\":\"errorRate * 2\",\"op\":\">\",\"threshold\":0.1}")));
    assertThat(eval(e, stats(0.2, 100), T0 + 1_000).transitions()).isEmpty(); // still the same episode, no new firing
    Result resolved = eval(e, stats(0.01, 100), T0 + 2_000);
    assertThat(resolved.transitions()).singleElement().satisfies(t -> {
      assertThat(t.event().startsAt()).isEqualTo(firing.startsAt());
      assertThat(t.event().threshold()).isEqualTo(0.1);
      assertThat(t.event().reason()).isNull();
    });
  }
}
