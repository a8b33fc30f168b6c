package io.switchboard.hub.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tool input schemas: what is enforced on params, with the failing path, and which schemas an agent may not offer. */
public class ToolSchemaTest {

  /** A schema using minimum, pattern, additionalProperties: false and oneOf. */
  public static final JsonObject SEARCH = new JsonObject("""
      {"type": "object",
       "required": ["q"],
       "additionalProperties": false,
       "properties": {
         "q": {"type": "string", "pattern": "^[a-z]+$"},
         "limit": {"type": "integer", "minimum": 1},
         "mode": {"oneOf": [{"const": "fast"}, {"type": "object", "required": ["depth"]}]},
         "tags": {"type": "array", "items": {"type": "string", "pattern": "^#"}}
       }}""");

  record Case(Object params, String problem) {}

  @Test
  void paramsAreCheckedWithTheFailingPathNamed() throws Exception {
    ToolSchema s = ToolSchema.compile(SEARCH);
    List<Case> table = List.of(
        new Case(new JsonObject().put("q", "abc"), null),
        new Case(new JsonObject().put("q", "abc").put("limit", 3).put("mode", "fast").put("tags", new JsonArray().add("#a")), null),
        new Case(new JsonObject().put("q", "abc").put("mode", new JsonObject().put("depth", 2)), null),
        new Case(new JsonObject(), "params"),
        new Case("x", "params"),
        new Case(new JsonObject().put("q", "ABC"), "params.q"),
        new Case(new JsonObject().put("q", "abc").put("limit", 0), "params.limit"),
        new Case(new JsonObject().put("q", "abc").put("extra", 1), "params.extra"),
        new Case(new JsonObject().put("q", "abc").put("mode", "slow"), "params.mode"),
        new Case(new JsonObject().put("q", "abc").put("tags", new JsonArray().add("#a").add("b")), "params.tags[1]"));
    for (Case c : table) {
      String problem = s.check(c.params());
      if (c.problem() == null) {
        assertThat(problem).as("params %s", c.params()).isNull();
      } else {
        assertThat(problem).as("params %s", c.params()).isNotNull().startsWith(c.problem() + ":");
      }
    }
    assertThat(s.check(new JsonObject().put("q", "ABC"))).contains("pattern ^[a-z]+$");
    assertThat(s.check(new JsonObject().put("q", "abc").put("limit", 0))).startsWith("params.limit:");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // a backtracking engine would not finish this check: fail, not hang
  void aCatastrophicPatternIsMatchedByALinearTimeEngine() throws Exception {
    ToolSchema s = ToolSchema.compile(new JsonObject().put("type", "string").put("pattern", "^(a|aa)*$"));
    // about 10^20 paths for a backtracking engine; RE2/J reads the input once
    assertThat(s.check("a".repeat(100) + "b")).startsWith("params:").contains("pattern");
    assertThat(s.check("a".repeat(100))).isNull();
  }

  @Test
  void noSchemaOrTrueAcceptsAnythingAndFalseNothing() throws Exception {
    assertThat(ToolSchema.compile(null).check(new JsonObject().put("x", 1))).isNull();
    assertThat(ToolSchema.compile(true).check("anything")).isNull();
    assertThat(ToolSchema.compile(false).check("anything")).isNotNull();
    assertThat(ToolSchema.compile(new JsonObject()).check(42)).isNull();
  }

  @Test
  void localReferencesWork() throws Exception {
    ToolSchema s = ToolSchema.compile(new JsonObject("""
        {"definitions": {"pos": {"type": "integer", "minimum": 1}},
         "type": "object", "properties": {"n": {"$ref": "#/definitions/pos"}}}"""));
    assertThat(s.check(new JsonObject().put("n", 2))).isNull();
    assertThat(s.check(new JsonObject().put("n", 0))).startsWith("params.n:");
  }

  @Test
  void schemasAnAgentMayNotOfferAreRefusedWithWhereAndWhy() {
    record Bad(String schema, String message) {}
    List<Bad> table = List.of(
        new Bad("{\"$ref\": \"http://example.com/s.json\"}", "only references inside the schema"),
        new Bad("{\"properties\": {\"a\": {\"$ref\": \"file:///etc/passwd\"}}}", "#/properties/a/$ref"),
        new Bad("{\"properties\": {\"a\": {\"$ref\": \"#/definitions/missing\"}}}", "points to nothing"),
        new Bad("{\"$ref\": \"#nowhere\"}", "names no $anchor"),
        new Bad("{\"pattern\": \"(a)\\\\1\"}", "not RE2 syntax"),
        new Bad("{\"pattern\": \"(?=a)\"}", "not RE2 syntax"),
        new Bad("{\"pattern\": 3}", "pattern must be a string"),
        new Bad("{\"patternProperties\": {\"^x\": {}}}", "patternProperties is not supported"),
        new Bad("{\"pattern\": \"" + "a".repeat(1_001) + "\"}", "longer than 1000"),
        new Bad("\"not an object\"", "must be a JSON object"));
    for (Bad b : table) {
      Object schema = b.schema().startsWith("{") ? new JsonObject(b.schema()) : b.schema();
      assertThatThrownBy(() -> ToolSchema.compile(schema)).as(b.schema()).isInstanceOf(ToolSchema.Invalid.class)
          .hasMessageContaining(b.message());
    }
    JsonObject deep = new JsonObject().put("type", "string");
    for (int i = 0; i < 40; i++) {
      deep = new JsonObject().put("properties", new JsonObject().put("a", deep));
    }
    JsonObject tooDeep = deep;
    assertThatThrownBy(() -> ToolSchema.compile(tooDeep)).hasMessageContaining("nested deeper than 32");
  }

  @Test
  void aPropertyNamedLikeAKeywordIsAProperty() throws Exception {
    ToolSchema s = ToolSchema.compile(new JsonObject("""
        {"type": "object", "properties": {"pattern": {"type": "string"}, "$ref": {"type": "integer"}}}"""));
    assertThat(s.check(new JsonObject().put("pattern", "(").put("$ref", 1))).isNull();
    assertThat(s.check(new JsonObject().put("$ref", "x"))).isNotNull();
  }

  @Test
  void theSameSchemaIsCompiledOnce() throws Exception {
    JsonObject schema = new JsonObject().put("type", "integer").put("minimum", 7);
    assertThat(ToolSchema.compile(schema)).isSameAs(ToolSchema.compile(schema.copy()));
  }

  @Test
  void pathsFromPointers() {
    assertThat(ToolSchema.path("")).isEqualTo("params");
    assertThat(ToolSchema.path("/a/0/b~1c")).isEqualTo("params.a[0].b/c");
    assertThat(ToolSchema.path("#/q")).isEqualTo("params.q");
  }
}
