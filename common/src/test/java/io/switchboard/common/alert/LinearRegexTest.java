package io.switchboard.common.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** User-supplied patterns run in time linear in the input, and what RE2/J cannot run is refused with a reason. */
class LinearRegexTest {
  /** Backtracks exponentially on java.util.regex against a long run of word characters with no Z. */
  static final String CATASTROPHIC = "(\\w|\\w\\w|.|..){1,60}Z";

  @Test
  void theCatastrophicPatternMatchesLongInputsQuickly() {
    Silence.Matcher m = new Silence.Matcher("alertname", CATASTROPHIC, true);
    String input = "a".repeat(200);
    long t0 = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      assertThat(m.matches(Map.of("alertname", input))).isFalse();
    }
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for 100 matches").isLessThan(5_000);
    assertThat(m.matches(Map.of("alertname", "abcZ"))).isTrue();
  }

  @Test
  void whatRe2CannotRunIsRefusedWithAReason() {
    for (String p : List.of("(a)\\1", "(?=a)b", "(?<=a)b", "(?!a)b", "a++", "(?>a)")) {
      assertThatThrownBy(() -> LinearRegex.compile(p)).as(p).isInstanceOf(LinearRegex.Refused.class)
          .hasMessageContaining("not RE2 syntax").hasMessageNotContaining("Exception").hasMessageNotContaining("java.");
    }
  }

  @Test
  void nestedCountsThatWouldExpandHugelyAreRefusedBeforeCompiling() {
    for (String p : List.of("((a{1000}){1000}){1000}", "(a{100}){100}", "((((((((((a{10}){10}){10}){10}){10}){10}){10}){10}){10}){10})",
        "(?:x{50}|y{50}){1000}", "a{2001}", "(a{3,}){1000}", "(\\Qabcdef\\E){1000}")) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> LinearRegex.compile(p)).as(p).isInstanceOf(LinearRegex.Refused.class).hasMessageContaining("expand");
      assertThat((System.nanoTime() - t0) / 1_000_000).as(p).isLessThan(1_000);
    }
  }

  @Test
  void ordinaryPatternsCompile() {
    for (String p : List.of("Switchboard.*", "(?i)heap|cpu", "[a-z]{1,64}", "\\p{L}+", "[[:alpha:]]+", "n[0-9]+\\.example",
        "(?P<x>a)b{2,5}", "a{,5}", "[{]{3}", CATASTROPHIC, "x{1000}")) {
      assertThat(LinearRegex.compile(p)).as(p).isNotNull();
    }
    assertThat(LinearRegex.expandedSize("abc")).isEqualTo(3);
    assertThat(LinearRegex.expandedSize("(ab){10}")).isEqualTo(20);
    assertThat(LinearRegex.expandedSize("(a{10}){10}")).isEqualTo(100);
    assertThat(LinearRegex.expandedSize("a{2,}")).isEqualTo(3);
  }

  @Test
  void aStoredPatternRe2CannotRunMatchesNothing() {
    Silence.Matcher m = new Silence.Matcher("alertname", "(a)\\1", true);
    assertThat(m.matches(Map.of("alertname", "aa"))).isFalse();
    assertThat(new Silence.Matcher("alertname", "(a{100}){100}", true).matches(Map.of("alertname", "a".repeat(10_000)))).isFalse();
  }
}
