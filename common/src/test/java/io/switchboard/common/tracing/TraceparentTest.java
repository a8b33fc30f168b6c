package io.switchboard.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** W3C Trace Context {@code traceparent}: what is taken, what is refused and why (docs/haip.md, Tracing). */
class TraceparentTest {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN = "00f067aa0ba902b7";

  @Test
  void aVersion00ValueIsTakenWithItsSampledFlag() {
    Traceparent.Parsed p = Traceparent.parse("00-" + TRACE + "-" + SPAN + "-01");
    assertThat(p.valid()).isTrue();
    assertThat(p.context().getTraceId()).isEqualTo(TRACE);
    assertThat(p.context().getSpanId()).isEqualTo(SPAN);
    assertThat(p.context().isSampled()).isTrue();
    assertThat(p.context().isRemote()).isTrue();
    assertThat(Traceparent.parse("00-" + TRACE + "-" + SPAN + "-00").context().isSampled()).isFalse();
    // unknown flag bits are not carried on
    assertThat(Traceparent.parse("00-" + TRACE + "-" + SPAN + "-03").context().getTraceFlags())
        .isEqualTo(TraceFlags.getSampled());
  }

  @Test
  void aLaterVersionMayGoOnAfterTheFlags() {
    assertThat(Traceparent.parse("01-" + TRACE + "-" + SPAN + "-01-what-comes-later").valid()).isTrue();
    assertThat(Traceparent.parse("01-" + TRACE + "-" + SPAN + "-01").valid()).isTrue();
  }

  @Test
  void absentIsNeitherValidNorRefused() {
    Traceparent.Parsed p = Traceparent.parse(null);
    assertThat(p.absent()).isTrue();
    assertThat(p.valid()).isFalse();
    assertThat(p.problem()).isNull();
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra | 55 characters",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1       | 55 characters",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01      | version ff",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01      | lower-case hex",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bg-01      | lower-case hex",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01      | trace id must not be all zeros",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01      | parent id must not be all zeros",
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01      | version-traceid-parentid-flags",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x     | go on with '-'",
      "''                                                           | 55 characters",
  })
  void malformedValuesAreRefusedWithTheirReason(String value, String reason) {
    Traceparent.Parsed p = Traceparent.parse(value);
    assertThat(p.valid()).isFalse();
    assertThat(p.absent()).isFalse();
    assertThat(p.problem()).contains(reason);
  }

  @Test
  void aNonStringOrAHugeValueIsRefused() {
    assertThat(Traceparent.parse(42).problem()).contains("must be a string");
    assertThat(Traceparent.parse("00-" + "a".repeat(600)).problem()).contains("longer than");
  }

  @Test
  void formatWritesVersion00AndRoundTrips() {
    SpanContext sc = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
    String tp = Traceparent.format(sc);
    assertThat(tp).isEqualTo("00-" + TRACE + "-" + SPAN + "-01");
    assertThat(Traceparent.parse(tp).context().getSpanId()).isEqualTo(SPAN);
    assertThat(Traceparent.format(SpanContext.getInvalid())).isNull();
  }
}
