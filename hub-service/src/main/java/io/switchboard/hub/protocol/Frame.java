package io.switchboard.hub.protocol;

import io.vertx.core.json.JsonObject;

/**
 * One inbound HAIP frame, parsed once: the JSON object and its envelope fields. {@code transaction} is null when the
 * frame names none ({@code null}, {@code "null"}, absent or empty).
 */
public final class Frame {
  public final JsonObject json;
  public final String id;
  public final String type;
  public final String channel;
  public final String transaction;
  public final Object payload;
  /** Length of the text the frame was parsed from (UTF-16 chars; bytes for ASCII). */
  public final int size;

  public Frame(JsonObject json, String id, String type, String channel, String transaction, Object payload, int size) {
    this.json = json;
    this.id = id;
    this.type = type;
    this.channel = channel;
    this.transaction = transaction;
    this.payload = payload;
    this.size = size;
  }

  /** The payload when it is an object, else null. */
  public JsonObject payloadObject() {
    return payload instanceof JsonObject o ? o : null;
  }
}
