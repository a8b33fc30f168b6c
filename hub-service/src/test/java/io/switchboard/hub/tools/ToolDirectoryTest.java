package io.switchboard.hub.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolDirectoryTest {
  static ToolDef t(String name) {
    return new ToolDef(name, "d-" + name, new JsonObject(), null);
  }

  @Test
  void echoIsAlwaysThereAndToolsMergeAcrossNodes() {
    ToolDirectory d = new ToolDirectory();
    assertThat(d.tools()).extracting(ToolDef::name).containsExactly("echo");
    d.put("n1", "c1", List.of(t("b"), t("a")), false, 0);
    d.put("n2", "c2", List.of(t("a"), t("c")), false, 0);
    assertThat(d.tools()).extracting(ToolDef::name).containsExactly("a", "b", "c", "echo");
  }

  @Test
  void aToolVanishesWhenItsLastProviderNodeLeaves() {
    ToolDirectory d = new ToolDirectory();
    d.put("n1", "c1", List.of(t("shared"), t("only1")), false, 0);
    d.put("n2", "c2", List.of(t("shared")), false, 0);
    assertThat(d.removeClusterNode("c1")).containsExactly("n1");
    assertThat(d.find("only1")).isNull();
    assertThat(d.find("shared")).isNotNull();
    d.put("n2", "c2", List.of(), false, 0);
    assertThat(d.find("shared")).isNull();
    assertThat(d.find("echo")).isNotNull();
  }

  @Test
  void eventsInterestFollowsAnnouncementsAndLeases() {
    ToolDirectory d = new ToolDirectory();
    d.put("self", "c0", List.of(), false, 0);
    assertThat(d.anyEventsInterest()).isFalse();
    d.put("external", null, List.of(), true, 1_000);
    assertThat(d.anyEventsInterest()).isTrue();
    d.expire(10_000, 15_000, "self");
    assertThat(d.anyEventsInterest()).isTrue();
    d.expire(20_000, 15_000, "self");
    assertThat(d.anyEventsInterest()).isFalse();
    assertThat(d.nodes()).isEqualTo(1);
  }

  @Test
  void toolNamesAreRestricted() throws Exception {
    assertThat(ToolDef.fromJson(new JsonObject().put("name", "ok_name-1.v2:x"))).isNotNull();
    assertThat(ToolDef.fromJson(new JsonObject().put("name", "has space"))).isNull();
    assertThat(ToolDef.fromJson(new JsonObject().put("name", ""))).isNull();
    assertThat(ToolDef.fromJson(new JsonObject().put("name", "x".repeat(129)))).isNull();
    assertThat(ToolDef.fromJson("nope")).isNull();
  }
}
