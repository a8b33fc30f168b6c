package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The HAIP frames the load generator sends, and a cheap way to read the type of the frames it receives.
 * MESSAGE frames are built as strings (no JSON tree per message) so that the client spends little CPU on the
 * machine it shares with the node it measures.
 */
public final class Haip {
  private Haip() {}

  public static final String VERSION = "1.1.2";
  static final JsonArray ALL_EVENTS = new JsonArray()
      .add("HAI").add("PING").add("PONG").add("ERROR").add("FLOW_UPDATE").add("TRANSACTION_START")
      .add("TRANSACTION_END").add("TRANSACTION_JOIN").add("REPLAY_REQUEST").add("MESSAGE_UPDATE").add("MESSAGE")
      .add("AUDIO").add("INFO").add("TOOL_LIST").add("TOOL_SCHEMA");

  public static JsonObject envelope(String id, String session, String transaction, long seq, String channel,
      String type, Object payload) {
    return new JsonObject()
        .put("id", id)
        .put("session", session == null || session.isEmpty() ? "pending" : session)
        .put("transaction", transaction == null ? "null" : transaction)
        .put("seq", Long.toString(seq))
        .put("ts", Long.toString(System.currentTimeMillis()))
        .put("channel", channel)
        .put("type", type)
        .put("payload", payload);
  }

  /** The client's HAI; with a tool name, the HAI of an agent offering that tool (string input, echoes it). */
  public static JsonObject hai(String id, String session, long seq, String agentTool) {
    JsonObject p = new JsonObject()
        .put("haip_version", VERSION)
        .put("accept_major", new JsonArray().add(1))
        .put("accept_events", ALL_EVENTS.copy());
    if (agentTool != null) {
      p.put("role", "agent").put("platform", "switchboard-bench").put("tools", new JsonArray().add(new JsonObject()
          .put("name", agentTool)
          .put("description", "Benchmark echo: answers every MESSAGE with the same payload")
          .put("inputSchema", new JsonObject().put("type", "string"))));
    }
    return envelope(id, session, null, seq, "SYSTEM", "HAI", p);
  }

  /** No params: the tools the generator starts take their input as MESSAGE frames (and params are schema-checked). */
  public static JsonObject transactionStart(String id, String session, long seq, String referenceId, String tool) {
    return envelope(id, session, referenceId, seq, "SYSTEM", "TRANSACTION_START",
        new JsonObject().put("toolName", tool));
  }

  public static JsonObject transactionEnd(String id, String session, long seq, String transaction) {
    return envelope(id, session, transaction, seq, "USER", "TRANSACTION_END", new JsonObject());
  }

  /** A MESSAGE frame as text; {@code payload} must need no JSON escaping (the generator uses ASCII letters). */
  public static String message(String id, String session, String transaction, long seq, String channel, String payload) {
    StringBuilder sb = new StringBuilder(160 + payload.length());
    sb.append("{\"id\":\"").append(id)
        .append("\",\"session\":\"").append(session)
        .append("\",\"transaction\":\"").append(transaction)
        .append("\",\"seq\":\"").append(seq)
        .append("\",\"ts\":\"").append(System.currentTimeMillis())
        .append("\",\"channel\":\"").append(channel)
        .append("\",\"type\":\"MESSAGE\",\"payload\":\"").append(payload).append("\"}");
    return sb.toString();
  }

  public static String payloadOfSize(int size) {
    return "x".repeat(Math.max(1, size));
  }

  /**
   * The value of the first {@code "type":"..."} in a frame's text, or null when there is none in compact form.
   * Envelopes are flat objects whose {@code type} precedes or follows the payload; the payloads the generator
   * sends contain no quotes, so for its own traffic the first match is the envelope's type. Anything else
   * (null) is parsed as JSON by the caller.
   */
  public static String sniffType(String text) {
    int i = text.indexOf("\"type\":\"");
    if (i < 0) {
      return null;
    }
    int start = i + 8;
    int end = text.indexOf('"', start);
    return end < 0 ? null : text.substring(start, end);
  }

  /** True when the frame is a MESSAGE, decided without building a JSON tree for the common case. */
  public static boolean isMessage(String text) {
    // Fast path for compact JSON with type after a non-string payload or before it.
    return text.contains("\"type\":\"MESSAGE\"");
  }
}
