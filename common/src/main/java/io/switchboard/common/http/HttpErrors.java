package io.switchboard.common.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts the node's HTTP API error answers in {@code switchboard_http_errors_total{code}}: one increment per error
 * response, labelled with a code from the fixed list {@link #CODES} (docs/operations.md lists them). The router
 * carries the node's instance in each request's context under {@link #KEY}, so {@link Http#error} counts whatever
 * route answers.
 */
public final class HttpErrors {
  /** The request's body is empty, not JSON, or not a JSON object. */
  public static final String INVALID_JSON = "INVALID_JSON";
  /** A silence field is missing, of the wrong type, out of range, or one limit per silence is exceeded. */
  public static final String INVALID_SILENCE = "INVALID_SILENCE";
  /** A matcher pattern is not RE2 syntax, or is longer or larger than the alert service accepts. */
  public static final String PATTERN_REFUSED = "PATTERN_REFUSED";
  /** alert.maxSilences silences exist already. */
  public static final String SILENCE_LIMIT = "SILENCE_LIMIT";
  /** A query parameter is out of range or not one of the allowed values. */
  public static final String INVALID_QUERY = "INVALID_QUERY";
  /** Any other malformed request (400). */
  public static final String BAD_REQUEST = "BAD_REQUEST";
  /** No credential, or a refused one, on the admin surface (401). */
  public static final String UNAUTHORIZED = "UNAUTHORIZED";
  /** A valid credential without the admin role on the admin surface (403). */
  public static final String FORBIDDEN = "FORBIDDEN";
  public static final String NOT_FOUND = "NOT_FOUND";
  public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
  public static final String BODY_TOO_LARGE = "BODY_TOO_LARGE";
  /** A POST, PUT or PATCH (or a DELETE with a body) whose Content-Type is not application/json (415). */
  public static final String UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE";
  /** A browser request or WebSocket upgrade from an origin that is neither the node's own nor in http.allowedOrigins (403). */
  public static final String ORIGIN_REFUSED = "ORIGIN_REFUSED";
  /** Another 4xx answer. */
  public static final String CLIENT_ERROR = "CLIENT_ERROR";
  /** The owning service did not answer or is not running (503). */
  public static final String UNAVAILABLE = "UNAVAILABLE";
  public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
  /** POST /admin/profile on a node without admin.profiling.enabled (404). */
  public static final String PROFILING_DISABLED = "PROFILING_DISABLED";
  /** POST /admin/profile while a recording runs on the node (409). */
  public static final String PROFILE_RUNNING = "PROFILE_RUNNING";

  public static final List<String> CODES = List.of(INVALID_JSON, INVALID_SILENCE, PATTERN_REFUSED, SILENCE_LIMIT,
      INVALID_QUERY, BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, BODY_TOO_LARGE,
      UNSUPPORTED_MEDIA_TYPE, ORIGIN_REFUSED, CLIENT_ERROR, UNAVAILABLE, INTERNAL_ERROR, PROFILING_DISABLED, PROFILE_RUNNING);
  private static final Set<String> KNOWN = Set.copyOf(CODES);

  /** The routing-context key under which the router carries the node's counters. */
  public static final String KEY = "switchboard.httpErrors";

  private final Map<String, Counter> counters = new LinkedHashMap<>();

  public HttpErrors(MeterRegistry registry) {
    for (String code : CODES) {
      counters.put(code, Counter.builder("switchboard.http.errors").tag("code", code)
          .description("HTTP API error answers (4xx and 5xx), by code").register(registry));
    }
  }

  public void count(String code) {
    counters.get(code).increment();
  }

  /** The code itself when it is one of {@link #CODES}, else the code for the status: never a client-chosen label. */
  static String bounded(String code, int status) {
    return code != null && KNOWN.contains(code) ? code : forStatus(status);
  }

  /** The code of a plain error with this status. */
  static String forStatus(int status) {
    return switch (status) {
      case 400 -> BAD_REQUEST;
      case 401 -> UNAUTHORIZED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 413 -> BODY_TOO_LARGE;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 503 -> UNAVAILABLE;
      default -> status >= 400 && status < 500 ? CLIENT_ERROR : INTERNAL_ERROR;
    };
  }
}
