package io.switchboard.common.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reads a request body that must be one JSON object; anything else is an {@link ApiError} saying what it was. Pure. */
public final class JsonBodies {
  private JsonBodies() {}

  /**
   * The body as a JSON object.
   *
   * @param expected what the endpoint wants, for the message (e.g. "a silence {matchers, endsAt or duration}")
   * @throws ApiError 400 {@link HttpErrors#INVALID_JSON}: empty, not JSON (with line and column), or not an object
   */
  public static JsonObject object(Buffer body, String expected) {
    if (body == null || body.length() == 0 || body.toString().isBlank()) {
      throw new ApiError(400, HttpErrors.INVALID_JSON, null, "the body is empty; send " + expected + " as JSON");
    }
    Object v;
    try {
      v = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new ApiError(400, HttpErrors.INVALID_JSON, null, "the body is not valid JSON" + where(e) + "; send " + expected);
    }
    if (!(v instanceof JsonObject o)) {
      throw new ApiError(400, HttpErrors.INVALID_JSON, null, "the body must be a JSON object, not " + kind(v) + "; send " + expected);
    }
    return o;
  }

  /** The JSON kind of a decoded value, as a client would name it. */
  public static String kind(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof Number) {
      return "a number";
    }
    return "a value of another kind";
  }

  private static String where(DecodeException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
        JsonLocation l = jpe.getLocation();
        return l.getLineNr() > 0 ? " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")" : "";
      }
    }
    return "";
  }
}
