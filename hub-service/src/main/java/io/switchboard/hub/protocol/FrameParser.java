package io.switchboard.hub.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.switchboard.common.haip.ErrorCodes;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Arrays;

/**
 * Parses and validates one inbound text message into a {@link Frame}, or says exactly what is wrong with it
 * (docs/haip.md, "Frames the hub accepts"). Pure: no Vert.x runtime needed.
 *
 * <p>One streaming pass reads the envelope and checks that the whole text is JSON, without building a tree: the
 * payload is only located (decoded later, if at all) and each top-level member's place is kept, so that a
 * forwarded frame is written on from its own text. Strict JSON only: text the strict pass refuses (comments, which
 * Vert.x's decoder allows; anything malformed), or an object with a member given twice, is decoded into a tree by
 * Vert.x as before ({@link #parseTree}), so every text is accepted or refused exactly as the decoder does.
 */
public final class FrameParser {
  private FrameParser() {}

  /** Standard JSON, nothing more: what the streaming pass takes. */
  private static final JsonFactory STRICT = JsonFactory.builder().build();
  private static final int INITIAL_MEMBERS = 10;
  /** Past this many top-level members the frame is decoded into a tree (the duplicate check here is quadratic). */
  private static final int MAX_STREAMED_MEMBERS = 32;

  /** Either a frame or a refusal (code, message, related id when one could be read). */
  public record Result(Frame frame, String code, String message, String relatedId) {
    public boolean ok() {
      return frame != null;
    }

    static Result error(String code, String message, String relatedId) {
      return new Result(null, code, message, relatedId);
    }
  }

  /** A value the envelope checks need: a string, a number, JSON null, or something else. */
  private static final Object NUMBER = new Object();
  private static final Object NULL = new Object();
  private static final Object OTHER = new Object();

  public static Result parse(String text) {
    try (JsonParser p = STRICT.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return parseTree(text);
      }
      Object id = null;
      Object session = null;
      Object seq = null;
      Object ts = null;
      Object type = null;
      Object channel = null;
      Object tx = null;
      boolean hasPayload = false;
      boolean payloadNull = false;
      int payloadStart = -1;
      int payloadEnd = -1;
      int[] spans = new int[2 * INITIAL_MEMBERS];
      String[] names = new String[INITIAL_MEMBERS];
      int n = 0;
      JsonToken t = p.nextToken();
      while (t == JsonToken.FIELD_NAME) {
        if (n == MAX_STREAMED_MEMBERS) {
          return parseTree(text);
        }
        String name = p.currentName();
        int start = (int) p.currentTokenLocation().getCharOffset();
        for (int i = 0; i < n; i++) {
          if (names[i].equals(name)) {
            return parseTree(text);
          }
        }
        JsonToken v = p.nextToken();
        int valueStart = (int) p.currentTokenLocation().getCharOffset();
        Object value = null;
        switch (name) {
          case "id", "session", "seq", "ts", "type", "channel", "transaction" -> value = scalar(p, v);
          case "payload" -> {
            hasPayload = true;
            payloadNull = v == JsonToken.VALUE_NULL;
          }
          default -> { }
        }
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          p.skipChildren();
        }
        t = p.nextToken();
        int end = valueEnd(text, (int) p.currentTokenLocation().getCharOffset());
        switch (name) {
          case "id" -> id = value;
          case "session" -> session = value;
          case "seq" -> seq = value;
          case "ts" -> ts = value;
          case "type" -> type = value;
          case "channel" -> channel = value;
          case "transaction" -> tx = value;
          case "payload" -> {
            payloadStart = valueStart;
            payloadEnd = end;
          }
          default -> { }
        }
        if (n == names.length) {
          names = Arrays.copyOf(names, n * 2);
          spans = Arrays.copyOf(spans, n * 4);
        }
        names[n] = name;
        spans[2 * n] = start;
        spans[2 * n + 1] = end;
        n++;
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return parseTree(text);
      }
      Fields f = new Fields(id, session, seq, ts, type, channel, tx, hasPayload && !payloadNull);
      Result r = check(f);
      if (r != null) {
        return r;
      }
      String transaction = f.tx == null || f.tx == NULL || ((String) f.tx).isEmpty() || "null".equals(f.tx)
          ? null : (String) f.tx;
      return new Result(new Frame((String) id, (String) type, (String) channel, transaction, text.length(), text,
          payloadStart, payloadEnd, spans, names, n), null, null, (String) id);
    } catch (IOException | RuntimeException e) {
      return parseTree(text);
    }
  }

  /** The value of an envelope member: its text when a string, else what kind of value it is. */
  private static Object scalar(JsonParser p, JsonToken v) throws IOException {
    return switch (v) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> NUMBER;
      case VALUE_NULL -> NULL;
      default -> OTHER;
    };
  }

  /** Where a member's value ends: before the whitespace and the comma that precede the next token at {@code next}. */
  private static int valueEnd(String text, int next) {
    int e = next;
    while (e > 0 && Character.isWhitespace(text.charAt(e - 1))) {
      e--;
    }
    if (e > 0 && text.charAt(e - 1) == ',') {
      e--;
      while (e > 0 && Character.isWhitespace(text.charAt(e - 1))) {
        e--;
      }
    }
    return e;
  }

  /** Decodes the text into a tree with Vert.x's decoder, then checks the envelope. */
  public static Result parseTree(String text) {
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
    Object payload = json.getValue("payload");
    Fields f = new Fields(json.getValue("id"), json.getValue("session"), json.getValue("seq"), json.getValue("ts"),
        json.getValue("type"), json.getValue("channel"), json.getValue("transaction"), payload != null);
    Result r = check(f);
    if (r != null) {
      return r;
    }
    String s = (String) f.tx;
    String transaction = s == null || s.isEmpty() || "null".equals(s) ? null : s;
    String id = (String) f.id;
    return new Result(new Frame(json, id, (String) f.type, (String) f.channel, transaction, payload, size), null, null, id);
  }

  /** The envelope's members as read: strings as such, other values as a kind (or as decoded, from a tree). */
  private record Fields(Object id, Object session, Object seq, Object ts, Object type, Object channel, Object tx,
      boolean payload) {}

  /** The envelope checks, in order; null when the frame is accepted. */
  private static Result check(Fields f) {
    String id = f.id instanceof String s && !s.isEmpty() ? s : null;
    if (id == null) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: id (a non-empty string)", null);
    }
    if (!nonEmptyText(f.session)) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: session (a non-empty string)", id);
    }
    if (!nonEmptyText(f.seq)) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: seq (a non-empty string)", id);
    }
    if (!nonEmptyText(f.ts)) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: ts (epoch ms as a string)", id);
    }
    if (!(f.type instanceof String type) || type.isEmpty()) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: type (a string)", id);
    }
    if (!(f.channel instanceof String channel) || MessageTypes.channelIndex(channel) < 0) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing or unknown channel (USER, AGENT, SYSTEM)", id);
    }
    if (!f.payload) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "missing field: payload (non-null)", id);
    }
    if (f.tx != null && f.tx != NULL && !(f.tx instanceof String)) {
      return Result.error(ErrorCodes.INVALID_MESSAGE, "transaction must be a string or null", id);
    }
    if (!MessageTypes.known(type)) {
      return Result.error(ErrorCodes.UNSUPPORTED_TYPE, "unsupported type: " + clip(type), id);
    }
    return null;
  }

  private static boolean nonEmptyText(Object v) {
    return (v instanceof String s && !s.isEmpty()) || v instanceof Number || v == NUMBER;
  }

  static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
