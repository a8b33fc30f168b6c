package io.switchboard.common.http;

import io.vertx.core.json.JsonObject;

/**
 * A refusal of an HTTP API request: the HTTP status, a code from {@link HttpErrors#CODES}, the input field at fault
 * ({@code null} when the request as a whole is wrong) and a message saying what was wrong with the input. Thrown by
 * validators; a service answering over the event bus fails the request with {@code fail(status, encode())}, and
 * {@link Http#fromReplyFailure} turns it back into the same JSON error for the client.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String code;
  private final String field;

  public ApiError(int status, String code, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = HttpErrors.bounded(code, status);
    this.field = field;
  }

  /** A 400 about one field. */
  public static ApiError invalid(String code, String field, String message) {
    return new ApiError(400, code, field, message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }

  /** The error body's inner object: {@code {status, code, field?, message}}. */
  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("status", status).put("code", code);
    if (field != null) {
      j.put("field", field);
    }
    return j.put("message", getMessage());
  }

  /** The text a service fails an event-bus request with. */
  public String encode() {
    return toJson().encode();
  }

  /**
   * The error a service encoded with {@link #encode()}, or a plain one (code from the status) when the failure
   * message is ordinary text.
   */
  public static ApiError decode(int status, String text) {
    if (text != null && text.startsWith("{")) {
      try {
        JsonObject j = new JsonObject(text);
        if (j.getValue("code") instanceof String code && j.getValue("message") instanceof String message) {
          return new ApiError(status, code, j.getValue("field") instanceof String f ? f : null, message);
        }
      } catch (RuntimeException notJson) {
        // an ordinary message that happens to start with a brace
      }
    }
    return new ApiError(status, HttpErrors.forStatus(status), null, text == null ? "" : text);
  }

  /** At most {@code max} characters of a client-supplied text, for echoing it in a message. */
  public static String excerpt(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
