package io.switchboard.hub.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** REPLAY_REQUEST ranges as they arrive in JSON: every malformed one has a problem naming its field. */
class ReplayRangeTest {
  static ReplayRange parse(String payload) {
    JsonObject p = new JsonObject(payload);
    return ReplayRange.parse(p.getValue("from_seq"), p.getValue("to_seq"));
  }

  @Test
  void wellFormedRanges() {
    assertThat(parse("{\"from_seq\": 3}")).isEqualTo(new ReplayRange(3, ReplayRange.MAX_SEQ, null));
    assertThat(parse("{\"from_seq\": \"3\", \"to_seq\": \"7\"}")).isEqualTo(new ReplayRange(3, 7, null));
    assertThat(parse("{\"from_seq\": 0, \"to_seq\": 0}").ok()).isTrue();
    assertThat(parse("{\"from_seq\": 4.0}").from()).isEqualTo(4);
  }

  @Test
  void malformedRangesNameTheProblem() {
    assertThat(parse("{}").problem()).contains("from_seq");
    assertThat(parse("{\"from_seq\": 9, \"to_seq\": 3}").problem()).contains("greater than to_seq");
    assertThat(parse("{\"from_seq\": 1e308}").problem()).contains("from_seq is larger than any seq");
    assertThat(parse("{\"from_seq\": 1, \"to_seq\": 1e308}").problem()).contains("to_seq is larger");
    assertThat(parse("{\"from_seq\": 99999999999999999999999}").problem()).contains("larger than any seq");
    assertThat(parse("{\"from_seq\": \"99999999999999999999999\"}").problem()).contains("larger than any seq");
    assertThat(parse("{\"from_seq\": -1}").problem()).contains("negative");
    assertThat(parse("{\"from_seq\": 1.5}").problem()).contains("integer");
    assertThat(parse("{\"from_seq\": \"abc\"}").problem()).contains("from_seq must be a non-negative integer");
    assertThat(parse("{\"from_seq\": \"-4\"}").problem()).contains("non-negative integer");
    assertThat(parse("{\"from_seq\": true}").problem()).contains("from_seq");
    assertThat(parse("{\"from_seq\": {\"a\": 1}}").problem()).contains("from_seq");
    assertThat(parse("{\"from_seq\": 1, \"to_seq\": [2]}").problem()).contains("to_seq");
  }
}
