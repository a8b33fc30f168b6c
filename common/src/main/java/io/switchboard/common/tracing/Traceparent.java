package io.switchboard.common.tracing;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

/**
 * A W3C Trace Context {@code traceparent} value ({@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}), read
 * from a client's HAI or TRANSACTION_START and written into an agent's TRANSACTION_START (docs/haip.md, Tracing).
 * Pure: no state, no clock.
 */
public final class Traceparent {
  /** The largest value looked at; anything longer is malformed. */
  static final int MAX_LENGTH = 512;

  private Traceparent() {}

  /**
   * What reading a value gave: a remote span context, or the reason it was refused. A value that is absent is
   * neither ({@link #absent()}).
   *
   * @param context the remote parent, null when absent or refused
   * @param problem why the value was refused (for a debug line and the count), null when absent or valid
   */
  public record Parsed(SpanContext context, String problem) {
    static final Parsed ABSENT = new Parsed(null, null);

    public boolean absent() {
      return context == null && problem == null;
    }

    public boolean valid() {
      return context != null;
    }
  }

  /**
   * Reads a {@code traceparent} as the W3C Trace Context specification (level 1, section 3.2) says: version 00 has
   * exactly four fields; a later version may have more after the flags, which are ignored; version ff, an all-zero
   * trace or parent id, upper-case hex and a wrong length are refused.
   *
   * @param value the JSON value given (null when the field is absent)
   */
  public static Parsed parse(Object value) {
    if (value == null) {
      return Parsed.ABSENT;
    }
    if (!(value instanceof String s)) {
      return refused("traceparent must be a string");
    }
    if (s.length() > MAX_LENGTH) {
      return refused("traceparent longer than " + MAX_LENGTH + " characters");
    }
    if (s.length() < 55) {
      return refused("traceparent must be version-traceid-parentid-flags (55 characters)");
    }
    String version = s.substring(0, 2);
    if (!lowerHex(version) || s.charAt(2) != '-' || s.charAt(35) != '-' || s.charAt(52) != '-') {
      return refused("traceparent must be version-traceid-parentid-flags (55 characters)");
    }
    if ("ff".equals(version)) {
      return refused("traceparent version ff is not allowed");
    }
    if ("00".equals(version) ? s.length() != 55 : s.length() > 55 && s.charAt(55) != '-') {
      return refused("traceparent version " + version + " must be 55 characters" + ("00".equals(version) ? "" : " or go on with '-'"));
    }
    String traceId = s.substring(3, 35);
    String spanId = s.substring(36, 52);
    String flags = s.substring(53, 55);
    if (!lowerHex(traceId) || !lowerHex(spanId) || !lowerHex(flags)) {
      return refused("traceparent ids and flags must be lower-case hex");
    }
    if (allZero(traceId)) {
      return refused("traceparent trace id must not be all zeros");
    }
    if (allZero(spanId)) {
      return refused("traceparent parent id must not be all zeros");
    }
    byte flagBits = (byte) Integer.parseInt(flags, 16);
    // only the sampled bit is defined; other bits are not carried on (section 3.2.2.5)
    TraceFlags traceFlags = (flagBits & 0x01) != 0 ? TraceFlags.getSampled() : TraceFlags.getDefault();
    return new Parsed(SpanContext.createFromRemoteParent(traceId, spanId, traceFlags, TraceState.getDefault()), null);
  }

  /** The {@code traceparent} of a span context (version 00); null when the context is not valid. */
  public static String format(SpanContext context) {
    if (context == null || !context.isValid()) {
      return null;
    }
    return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
  }

  private static Parsed refused(String problem) {
    return new Parsed(null, problem);
  }

  private static boolean lowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean allZero(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
