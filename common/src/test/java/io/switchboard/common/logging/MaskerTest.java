package io.switchboard.common.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskerTest {
  private final Masker masker = Masker.defaults();

  @Test
  void masksJsonFieldsAtAnyDepth() {
    String in = "{\"type\":\"HAI\",\"payload\":{\"auth\":{\"token\":\"Bearer abc.def\"},\"api_key\":\"k1\",\"n\":1}}";
    String out = masker.mask(in);
    assertThat(out).doesNotContain("abc.def").doesNotContain("k1").contains("\"token\":\"****\"").contains("\"n\":1");
  }

  @Test
  void masksEscapedJsonInsideAString() {
    String in = "frame={\\\"password\\\":\\\"hunter2\\\"}";
    assertThat(masker.mask(in)).doesNotContain("hunter2");
  }

  @Test
  void masksNonStringJsonValues() {
    assertThat(masker.mask("{\"secretNumber\": 12345}")).doesNotContain("12345");
  }

  @Test
  void masksQueryStringsAndKeyValues() {
    String out = masker.mask("GET /haip?session=1&token=s3cr3t&x=2 and password=pw1 done");
    assertThat(out).doesNotContain("s3cr3t").doesNotContain("pw1").contains("session=1").contains("x=2");
  }

  @Test
  void masksHeaders() {
    String out = masker.mask("headers: Authorization: Bearer abc123; Accept: */*; X-Api-Key: zz9; ");
    assertThat(out).doesNotContain("abc123").doesNotContain("zz9").contains("Accept: */*");
  }

  @Test
  void leavesInnocentTextAlone() {
    String s = "node vm-8080 started in 1200 ms";
    assertThat(masker.mask(s)).isSameAs(s);
  }

  @Test
  void theListIsConfigurable() {
    Masker m = new Masker(List.of("pin"));
    assertThat(m.mask("{\"pin\":\"1234\",\"token\":\"visible\"}")).contains("visible").doesNotContain("1234");
  }

  /** Log lines carry client text (request paths, frames): masking them must stay linear in their length. */
  @Test
  void hostileLinesAreMaskedInLinearTime() {
    List<String> lines = List.of(
        "{\"token\":\"" + "\\\\".repeat(40),
        "{\\\"token\\\":\\\"" + "\\".repeat(60_000),
        "GET /" + "atoken".repeat(10_000),
        "x" + " token=".repeat(10_000),
        "token" + " ".repeat(30_000) + ":" + " ".repeat(30_000),
        "\"token\":".repeat(10_000));
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> lines.forEach(masker::mask));
    assertThat(masker.mask("{\"token\":\"" + "\\\\".repeat(3000) + "x\"}")).isEqualTo("{\"token\":\"****\"}");
  }
}
