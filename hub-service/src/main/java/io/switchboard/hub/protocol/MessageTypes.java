package io.switchboard.hub.protocol;

import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Set;

/** HAIP message types and channels as they run on the wire (docs/haip.md). */
public final class MessageTypes {
  private MessageTypes() {}

  public static final String HAI = "HAI";
  public static final String PING = "PING";
  public static final String PONG = "PONG";
  public static final String ERROR = "ERROR";
  public static final String FLOW_UPDATE = "FLOW_UPDATE";
  public static final String TRANSACTION_START = "TRANSACTION_START";
  public static final String TRANSACTION_END = "TRANSACTION_END";
  public static final String TRANSACTION_JOIN = "TRANSACTION_JOIN";
  public static final String REPLAY_REQUEST = "REPLAY_REQUEST";
  public static final String MESSAGE_UPDATE = "MESSAGE_UPDATE";
  public static final String MESSAGE = "MESSAGE";
  public static final String AUDIO = "AUDIO";
  public static final String INFO = "INFO";
  public static final String TOOL_LIST = "TOOL_LIST";
  public static final String TOOL_SCHEMA = "TOOL_SCHEMA";

  public static final List<String> ALL = List.of(HAI, PING, PONG, ERROR, FLOW_UPDATE, TRANSACTION_START,
      TRANSACTION_END, TRANSACTION_JOIN, REPLAY_REQUEST, MESSAGE_UPDATE, MESSAGE, AUDIO, INFO, TOOL_LIST, TOOL_SCHEMA);
  private static final Set<String> KNOWN = Set.copyOf(ALL);

  /** Channels: the protocol's three plus the reference SDK's audio channels. */
  public static final List<String> CHANNELS = List.of("USER", "AGENT", "SYSTEM", "AUDIO_IN", "AUDIO_OUT");

  public static boolean known(String type) {
    return KNOWN.contains(type);
  }

  /** Index of a channel in {@link #CHANNELS}, or -1. */
  public static int channelIndex(String channel) {
    switch (channel) {
      case "USER": return 0;
      case "AGENT": return 1;
      case "SYSTEM": return 2;
      case "AUDIO_IN": return 3;
      case "AUDIO_OUT": return 4;
      default: return -1;
    }
  }

  public static JsonArray allAsJson() {
    return new JsonArray(ALL);
  }
}
