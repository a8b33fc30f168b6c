package io.switchboard.hub.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.json.JsonObject;

/**
 * Builds the hub's outbound frames. The {@code seq} is set by the session when the frame is written (a per-session
 * increasing integer as a string). Every payload is a non-empty object or the client's own value, never falsy
 * (the reference SDK drops frames with a falsy payload).
 *
 * <p>{@link #frame} builds a frame as a JsonObject; {@link #text} and {@link #forwarded} write one straight to its
 * JSON text, around a payload or members that are already JSON text, with the same members in the same order.
 */
public final class Envelopes {
  private Envelopes() {}

  public static JsonObject frame(String session, String transaction, String channel, String type, Object payload) {
    return new JsonObject()
        .put("id", Ids.uuid())
        .put("session", session)
        .put("transaction", transaction == null ? "null" : transaction)
        .put("seq", "0")
        .put("ts", Long.toString(System.currentTimeMillis()))
        .put("channel", channel)
        .put("type", type)
        .put("payload", payload);
  }

  /**
   * The text of a frame with these members, as {@link #frame} and {@code encode()} would write it, whose payload is
   * {@code payloadJson} as given (JSON text).
   */
  public static String text(String id, String session, String transaction, long seq, long ts, String channel,
      String type, String payloadJson) {
    StringBuilder b = new StringBuilder(160 + payloadJson.length());
    b.append("{\"id\":");
    quote(b, id);
    b.append(",\"session\":");
    quote(b, session);
    b.append(",\"transaction\":");
    quote(b, transaction == null ? "null" : transaction);
    b.append(",\"seq\":\"").append(seq).append("\",\"ts\":\"").append(ts).append("\",\"channel\":");
    quote(b, channel);
    b.append(",\"type\":");
    quote(b, type);
    return b.append(",\"payload\":").append(payloadJson).append('}').toString();
  }

  /**
   * The text of a forwarded frame: {@code session} and {@code seq} as the receiving session writes them, then the
   * frame's other members as its sender wrote them ({@link Frame#forwardMembers()}).
   */
  public static String forwarded(String session, long seq, String members) {
    StringBuilder b = new StringBuilder(40 + session.length() + members.length());
    b.append("{\"session\":");
    quote(b, session);
    b.append(",\"seq\":\"").append(seq).append('"');
    if (!members.isEmpty()) {
      b.append(',').append(members);
    }
    return b.append('}').toString();
  }

  /** Appends {@code s} as a JSON string, escaped as Vert.x's encoder escapes it. */
  static void quote(StringBuilder b, String s) {
    b.append('"');
    if (plain(s)) {
      b.append(s);
    } else {
      JsonStringEncoder.getInstance().quoteAsString(s, b);
    }
    b.append('"');
  }

  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  public static JsonObject errorPayload(String code, String message, String relatedId) {
    JsonObject p = new JsonObject().put("code", code).put("message", message);
    if (relatedId != null) {
      p.put("related_id", relatedId);
    }
    return p;
  }
}
