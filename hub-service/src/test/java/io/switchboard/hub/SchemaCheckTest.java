package io.switchboard.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class SchemaCheckTest {
  static final JsonObject SCHEMA = new JsonObject().put("type", "object").put("required", new JsonArray().add("q"))
      .put("properties", new JsonObject()
          .put("q", new JsonObject().put("type", "string"))
          .put("n", new JsonObject().put("type", "integer"))
          .put("mode", new JsonObject().put("enum", new JsonArray().add("fast").add("slow")))
          .put("tags", new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "string"))));

  @Test
  void acceptsMatchingParams() {
    assertThat(SchemaCheck.check(SCHEMA, new JsonObject().put("q", "x").put("n", 3).put("mode", "fast")
        .put("tags", new JsonArray().add("a")))).isNull();
    assertThat(SchemaCheck.check(null, "anything")).isNull();
  }

  @Test
  void namesWhatIsWrong() {
    assertThat(SchemaCheck.check(SCHEMA, "x")).isEqualTo("params must be object");
    assertThat(SchemaCheck.check(SCHEMA, new JsonObject())).isEqualTo("params.q is required");
    assertThat(SchemaCheck.check(SCHEMA, new JsonObject().put("q", "x").put("n", 1.5))).isEqualTo("params.n must be integer");
    assertThat(SchemaCheck.check(SCHEMA, new JsonObject().put("q", "x").put("mode", "warp"))).contains("params.mode");
    assertThat(SchemaCheck.check(SCHEMA, new JsonObject().put("q", "x").put("tags", new JsonArray().add(1))))
        .isEqualTo("params.tags[0] must be string");
  }
}
