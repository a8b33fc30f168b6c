package io.switchboard.common.hub;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A server event the hub publishes on {@link io.switchboard.common.Addresses#HUB_EVENTS}:
 * {@code {type, nodeId, sessionId?, timestamp, ...data}}. The extra fields of {@code data} are merged into the
 * top level of the JSON (e.g. {@code role}, {@code code}, {@code toolName}, {@code executionId}).
 */
public record HubEvent(String type, String nodeId, String sessionId, long timestamp, JsonObject data) {
  public static final String STARTED = "started";
  public static final String STOPPED = "stopped";
  public static final String CONNECT = "connect";
  public static final String DISCONNECT = "disconnect";
  public static final String HANDSHAKE = "handshake";
  public static final String MESSAGE = "message";
  public static final String MESSAGE_PROCESSED = "messageProcessed";
  public static final String TOOL_CALL = "toolCall";
  public static final String ERROR = "error";

  /** Every type, a fixed set (usable as a metrics label). */
  public static final List<String> TYPES = List.of(STARTED, STOPPED, CONNECT, DISCONNECT, HANDSHAKE, MESSAGE,
      MESSAGE_PROCESSED, TOOL_CALL, ERROR);

  /** Per-message types: published only while someone subscribes. */
  public static boolean perMessage(String type) {
    return MESSAGE.equals(type) || MESSAGE_PROCESSED.equals(type);
  }

  public JsonObject toJson() {
    JsonObject json = data == null ? new JsonObject() : data.copy();
    json.put("type", type).put("nodeId", nodeId).put("timestamp", timestamp);
    if (sessionId != null) {
      json.put("sessionId", sessionId);
    }
    return json;
  }

  public static HubEvent fromJson(JsonObject json) {
    JsonObject data = json.copy();
    data.remove("type");
    data.remove("nodeId");
    data.remove("sessionId");
    data.remove("timestamp");
    return new HubEvent(json.getString("type"), json.getString("nodeId"), json.getString("sessionId"),
        json.getLong("timestamp", 0L), data);
  }
}
