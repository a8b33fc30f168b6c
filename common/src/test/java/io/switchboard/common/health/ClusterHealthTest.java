package io.switchboard.common.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.health.ClusterHealth.Member;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The cluster status table of docs/operations.md ("Cluster health"), row by row. */
class ClusterHealthTest {
  static final Set<String> ALL = Set.of("hub", "stats", "alert");

  /** A member spec: roles, then its state: up, degraded (a non-critical check down), notReady, unreachable. */
  static Member member(String name, String state, String... roles) {
    List<String> r = List.of(roles);
    if (state.equals("unreachable")) {
      return Member.unreachable("m-" + name, "n-" + name, name, r, 1000, "no answer within 1000 ms");
    }
    JsonObject up = probe("UP");
    JsonObject ready = switch (state) {
      case "up" -> probe("UP");
      case "degraded" -> probe("degraded");
      case "notReady" -> probe("DOWN");
      default -> throw new IllegalArgumentException(state);
    };
    return Member.answered("m-" + name, "n-" + name, name, r, up, ready, up, 3);
  }

  static JsonObject probe(String status) {
    return new JsonObject().put("status", status).put("checks", new JsonArray());
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // members, required roles, expected status, http, roles without a ready member
        Arguments.of(List.of(member("a", "up", "hub", "stats", "alert")), ALL, "UP", 200, List.of()),
        Arguments.of(List.of(member("a", "up", "hub"), member("b", "up", "stats"), member("c", "up", "alert")), ALL,
            "UP", 200, List.of()),
        Arguments.of(List.of(member("a", "degraded", "hub", "stats", "alert")), ALL, "DEGRADED", 200, List.of()),
        Arguments.of(List.of(member("a", "up", "hub", "stats", "alert"), member("b", "notReady", "hub")), ALL,
            "DEGRADED", 200, List.of()),
        Arguments.of(List.of(member("a", "up", "hub", "stats", "alert"), member("b", "unreachable", "stats")), ALL,
            "DEGRADED", 200, List.of()),
        Arguments.of(List.of(member("a", "up", "hub", "alert"), member("b", "unreachable", "stats")), ALL,
            "DOWN", 503, List.of("stats")),
        Arguments.of(List.of(member("a", "up", "hub", "alert"), member("b", "notReady", "stats")), ALL,
            "DOWN", 503, List.of("stats")),
        Arguments.of(List.of(member("a", "up", "hub"), member("b", "degraded", "stats", "alert")), ALL,
            "DEGRADED", 200, List.of()),
        Arguments.of(List.of(member("a", "up", "hub")), ALL, "DOWN", 503, List.of("alert", "stats")),
        Arguments.of(List.of(member("a", "up", "hub")), Set.of("hub"), "UP", 200, List.of()),
        Arguments.of(List.of(), ALL, "DOWN", 503, List.of("alert", "hub", "stats")),
        Arguments.of(List.of(member("a", "unreachable", "hub", "stats", "alert")), ALL, "DOWN", 503,
            List.of("alert", "hub", "stats")));
  }

  @ParameterizedTest
  @MethodSource("table")
  void statusFollowsTheTable(List<Member> members, Set<String> required, String status, int http, List<String> missing) {
    ClusterHealth.View v = ClusterHealth.decide(members, required, 42);
    assertThat(v.status()).isEqualTo(status);
    assertThat(v.httpStatus()).isEqualTo(http);
    assertThat(v.rolesWithoutReadyMember()).containsExactlyElementsOf(missing);
    JsonObject json = v.toJson(required);
    assertThat(json.getString("status")).isEqualTo(status);
    assertThat(json.getJsonArray("nodes")).hasSize(members.size());
    assertThat(json.getLong("timestamp")).isEqualTo(42);
  }

  @ParameterizedTest
  @MethodSource("table")
  void everyMemberIsListedWithItsStatusAndAnUnreachableOneWithItsError(List<Member> members, Set<String> required,
      String status, int http, List<String> missing) {
    JsonObject json = ClusterHealth.decide(members, required, 0).toJson(required);
    List<String> names = new ArrayList<>();
    int notReady = 0;
    for (Object o : json.getJsonArray("nodes")) {
      JsonObject m = (JsonObject) o;
      names.add(m.getString("name"));
      if (!m.getBoolean("ready")) {
        notReady++;
      }
      if (m.getString("status").equals(ClusterHealth.UNREACHABLE)) {
        assertThat(m.getString("error")).isNotBlank();
        assertThat(m.containsKey("probes")).isFalse();
      } else {
        JsonObject probes = m.getJsonObject("probes");
        assertThat(probes.getJsonObject("ready").getString("status")).isNotBlank();
        assertThat(probes.getJsonObject("live")).isNotNull();
        assertThat(probes.getJsonObject("startup")).isNotNull();
      }
    }
    assertThat(names).isSorted();
    assertThat(json.getInteger("membersNotReady")).isEqualTo(notReady);
  }
}
