package io.switchboard.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The outbox ties a notification to the sink it was written for by {@link SinkConfig#identity()}: a reload that
 * removes or reorders sinks must not hand it to another sink that now sits at the same position.
 */
class SinkIdentityTest {
  private static final JsonObject HOOK_A = new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:9/a?token=s3cret");
  private static final JsonObject HOOK_B = new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:9/b");

  @Test
  void aSinkKeepsItsIdentityWhenItsPositionChangesAndAnotherSinkDoesNotTakeIt() {
    List<SinkConfig> before = SinkConfig.parse(new JsonArray().add(HOOK_A.copy().put("name", "a")).add(HOOK_B.copy().put("name", "b")));
    List<SinkConfig> after = SinkConfig.parse(new JsonArray().add(HOOK_B.copy().put("name", "b")));
    assertThat(after.get(0).identity()).isEqualTo(before.get(1).identity()).isNotEqualTo(before.get(0).identity());
  }

  @Test
  void aChangedDestinationIsAnotherSinkAndNoSecretIsInTheIdentity() {
    SinkConfig a = SinkConfig.parse(new JsonArray().add(HOOK_A.copy().put("name", "x"))).get(0);
    SinkConfig b = SinkConfig.parse(new JsonArray().add(HOOK_B.copy().put("name", "x"))).get(0);
    assertThat(a.identity()).isNotEqualTo(b.identity()).doesNotContain("s3cret").matches("[0-9a-f]{24}");
  }
}
