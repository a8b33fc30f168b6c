package io.switchboard.hub.protocol;

import io.switchboard.common.haip.ErrorCodes;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * Parses and validates one inbound text message into a {@link Frame}, or says exactly what is wrong with it
 * (docs/haip.md, "Frames the hub accepts"). Pure: no Vert.x runtime needed.
 */
public final class FrameParser {
  private FrameParser() {}

  /** Either a frame or a refusal (code, message, related id when one could be read). */
  public record Result(Frame frame, String code, String message, String relatedId) {
    public boolean ok() {
      return frame != null;
    }

    static Result error(String code, String message, String relatedId) {
      return new Result(null, code, message, relatedId);
    }
  }

  public static Result parse(String text) {
    JsonObject json;
    try {
      Object v = Json.decodeValue(text);
      if (!(v instanceof JsonObject o)) {
        return Result.error(ErrorCodes.INVALID_MESSAGE, "a HAIP frame is a JSON object", null);
      }
      json = o;
    } catch (DecodeException e) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "not valid JSON", IdSniffer.sniff(text));
    }
    return validate(json, text.length());
  }

  public static Result validate(JsonObject json, int size) {
    Object idValue = json.getValue("id");
    String id = idValue instanceof String s && !s.isEmpty() ? s : null;
    if (id == null) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: id (a non-empty string)", null);
    }
    if (!nonEmptyText(json.getValue("session"))) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: session (a non-empty string)", id);
    }
    if (!nonEmptyText(json.getValue("seq"))) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: seq (a non-empty string)", id);
    }
    if (!nonEmptyText(json.getValue("ts"))) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: ts (epoch ms as a string)", id);
    }
    Object typeValue = json.getValue("type");
    if (!(typeValue instanceof String type) || type.isEmpty()) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: type (a string)", id);
    }
    Object channelValue = json.getValue("channel");
    if (!(channelValue instanceof String channel) || MessageTypes.channelIndex(channel) < 0) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing or unknown channel (USER, AGENT, SYSTEM)", id);
    }
    Object payload = json.getValue("payload");
    if (payload == null) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: payload (non-null)", id);
    }
    Object txValue = json.getValue("transaction");
    String transaction;
    if (txValue == null) {
      transaction = null;
    } else if (txValue instanceof String s) {
      transaction = s.isEmpty() || "null".equals(s) ? null : s;
    } else {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "transaction must be a string or null", id);
    }
    if (!MessageTypes.known(type)) {
      return Result.error(ErrorCodes.UNSUPPORTED_TYPE, "unsupported type: " + clip(type), id);
    }
    return new Result(new Frame(json, id, type, channel, transaction, payload, size), null, null, id);
  }

  private static boolean nonEmptyText(Object v) {
    return (v instanceof String s && !s.isEmpty()) || v instanceof Number;
  }

  static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
