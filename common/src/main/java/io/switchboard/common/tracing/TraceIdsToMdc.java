package io.switchboard.common.tracing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts {@code trace_id} and {@code span_id} of the current span into the MDC of each log line written inside a
 * traced context, and takes them out of lines written outside one, so the JSON encoder writes them as fields
 * (docs/operations.md, Tracing). The current span is OpenTelemetry's, which Vert.x keeps in its context locals: a line
 * written while a span is current on the event loop (a handler running in a traced request, a transaction's
 * scope) carries its ids. Runs on the logging thread before the line is made; never decides whether a line is written.
 * A user's own Logback file can add it as {@code <turboFilter class="io.switchboard.common.tracing.TraceIdsToMdc"/>}.
 */
public final class TraceIdsToMdc extends TurboFilter {
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // isXxxEnabled() checks come with no message: nothing is written, nothing to do
    if (format == null || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL;
    }
    SpanContext sc = Span.current().getSpanContext();
    if (sc.isValid()) {
      MDC.put(TRACE_ID, sc.getTraceId());
      MDC.put(SPAN_ID, sc.getSpanId());
    } else if (MDC.get(TRACE_ID) != null) {
      MDC.remove(TRACE_ID);
      MDC.remove(SPAN_ID);
    }
    return FilterReply.NEUTRAL;
  }
}
