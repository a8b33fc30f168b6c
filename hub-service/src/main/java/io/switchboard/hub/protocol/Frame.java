package io.switchboard.hub.protocol;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One inbound HAIP frame, parsed once: its envelope fields, and the text it came as. {@code transaction} is null
 * when the frame names none ({@code null}, {@code "null"}, absent or empty).
 *
 * <p>A frame read by {@link FrameParser}'s one streaming pass keeps the text and where its payload and its top-level
 * members lie in it: the payload is decoded only when something asks for it ({@link #payload()}), and a frame that
 * is only forwarded is written on from its own text ({@link #payloadJson()}, {@link #forwardMembers()}), never
 * decoded into a tree and encoded again. A frame the streaming pass could not take (comments, duplicate members)
 * holds its decoded tree instead, and answers the same questions from it. One event loop.
 */
public final class Frame {
  public final String id;
  public final String type;
  public final String channel;
  public final String transaction;
  /** Length of the text the frame was parsed from (UTF-16 chars; bytes for ASCII). */
  public final int size;
  private final String text;
  private final int payloadStart;
  private final int payloadEnd;
  /** Start and end of each top-level member in {@code text}, and their names; null for a decoded frame. */
  private final int[] spans;
  private final String[] names;
  private final int members;
  private JsonObject json;
  private Object payload;

  /** A frame from its decoded tree (the payload is {@code json}'s). */
  public Frame(JsonObject json, String id, String type, String channel, String transaction, Object payload, int size) {
    this(id, type, channel, transaction, size, null, -1, -1, null, null, 0);
    this.json = json;
    this.payload = payload;
  }

  Frame(String id, String type, String channel, String transaction, int size, String text, int payloadStart,
      int payloadEnd, int[] spans, String[] names, int members) {
    this.id = id;
    this.type = type;
    this.channel = channel;
    this.transaction = transaction;
    this.size = size;
    this.text = text;
    this.payloadStart = payloadStart;
    this.payloadEnd = payloadEnd;
    this.spans = spans;
    this.names = names;
    this.members = members;
  }

  /** The payload (never null), decoded on first use: a JsonObject, JsonArray, String, Number or Boolean. */
  public Object payload() {
    if (payload == null) {
      payload = Json.decodeValue(payloadJson());
    }
    return payload;
  }

  /** The payload when it is an object, else null. */
  public JsonObject payloadObject() {
    return payload() instanceof JsonObject o ? o : null;
  }

  /** The payload as JSON text: as the client sent it, or encoded from the tree. */
  public String payloadJson() {
    return text != null ? text.substring(payloadStart, payloadEnd) : Json.encode(payload);
  }

  /** The whole frame as a tree: decoded from its text on first use (for a peer node that takes whole frames). */
  public JsonObject tree() {
    if (json == null) {
      json = new JsonObject(text);
    }
    return json;
  }

  /**
   * The frame's top-level members other than {@code session} and {@code seq}, as JSON text without the braces
   * ({@code "id":"f-1","ts":"...",...}): what a forwarded frame keeps, to be written with the receiver's session and
   * seq in front.
   */
  public String forwardMembers() {
    if (text == null) {
      JsonObject rest = json.copy();
      rest.remove("session");
      rest.remove("seq");
      String all = rest.encode();
      return all.substring(1, all.length() - 1);
    }
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < members; i++) {
      String n = names[i];
      if (!"session".equals(n) && !"seq".equals(n)) {
        if (b.length() > 0) {
          b.append(',');
        }
        b.append(text, spans[2 * i], spans[2 * i + 1]);
      }
    }
    return b.toString();
  }
}
