package io.switchboard.hub.protocol;

import io.vertx.core.json.JsonObject;

/**
 * Builds the hub's outbound frames. The {@code seq} is set by the session when the frame is written (a per-session
 * increasing integer as a string). Every payload is a non-empty object or the client's own value, never falsy
 * (the reference SDK drops frames with a falsy payload).
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

  public static JsonObject errorPayload(String code, String message, String relatedId) {
    JsonObject p = new JsonObject().put("code", code).put("message", message);
    if (relatedId != null) {
      p.put("related_id", relatedId);
    }
    return p;
  }
}
