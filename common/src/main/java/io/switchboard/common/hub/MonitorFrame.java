package io.switchboard.common.hub;

import io.vertx.core.json.JsonObject;

/**
 * A frame of the monitor stream {@code /ws} (docs/monitor.md): {@code {type, topic?, executionId?, data,
 * timestamp}}. Types: subscribed, unsubscribed, error, status, log, metrics, event, stats, snapshot, alert.
 */
public record MonitorFrame(String type, String topic, String executionId, Object data, long timestamp) {
  public static final String SUBSCRIBED = "subscribed";
  public static final String UNSUBSCRIBED = "unsubscribed";
  public static final String ERROR = "error";
  public static final String STATUS = "status";
  public static final String LOG = "log";
  public static final String METRICS = "metrics";
  public static final String EVENT = "event";
  public static final String STATS = "stats";
  public static final String SNAPSHOT = "snapshot";
  public static final String ALERT = "alert";
  public static final String HEALTH = "health";

  public static final String TOPIC_EVENTS = "events";
  public static final String TOPIC_STATS = "stats";
  public static final String TOPIC_ALERTS = "alerts";
  public static final String TOPIC_HEALTH = "health";

  public static MonitorFrame topic(String type, String topic, Object data) {
    return new MonitorFrame(type, topic, null, data, System.currentTimeMillis());
  }

  public static MonitorFrame execution(String type, String executionId, Object data) {
    return new MonitorFrame(type, null, executionId, data, System.currentTimeMillis());
  }

  public static MonitorFrame error(String code, String message) {
    return new MonitorFrame(ERROR, null, null, new JsonObject().put("code", code).put("message", message),
        System.currentTimeMillis());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type);
    if (topic != null) {
      json.put("topic", topic);
    }
    if (executionId != null) {
      json.put("executionId", executionId);
    }
    return json.put("data", data).put("timestamp", timestamp);
  }

  public static MonitorFrame fromJson(JsonObject json) {
    return new MonitorFrame(json.getString("type"), json.getString("topic"), json.getString("executionId"),
        json.getValue("data"), json.getLong("timestamp", 0L));
  }
}
