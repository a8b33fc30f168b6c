package io.switchboard.common.haip;

import java.util.List;
import java.util.Set;

/**
 * The server's own error codes (docs/haip.md, "Errors"). Metrics label values come only from this list;
 * anything else is counted as {@link #OTHER}.
 */
public final class ErrorCodes {
  private ErrorCodes() {}

  public static final String INVALID_MESSAGE = "INVALID_MESSAGE";
  public static final String INVALID_PAYLOAD = "INVALID_PAYLOAD";
  public static final String TRANSACTION_NOT_FOUND = "TRANSACTION_NOT_FOUND";
  public static final String UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE";
  public static final String FAILED_AUTH = "FAILED_AUTH";
  public static final String UNAUTHORIZED = "UNAUTHORIZED";
  public static final String MISSING_TOOL_NAME = "MISSING_TOOL_NAME";
  public static final String TOOL_NOT_FOUND = "TOOL_NOT_FOUND";
  public static final String PROTOCOL_VIOLATION = "PROTOCOL_VIOLATION";
  public static final String RATE_LIMITED = "RATE_LIMITED";
  public static final String RUN_LIMIT_EXCEEDED = "RUN_LIMIT_EXCEEDED";
  public static final String PROVIDER_LOST = "PROVIDER_LOST";
  public static final String EXECUTION_TIMEOUT = "EXECUTION_TIMEOUT";
  public static final String MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE";
  public static final String SLOW_CONSUMER = "SLOW_CONSUMER";
  public static final String REPLAY_TOO_OLD = "REPLAY_TOO_OLD";
  /** An agent's own ERROR frame forwarded to a client. */
  public static final String AGENT_ERROR = "AGENT_ERROR";
  /** A connection refused at the upgrade (hub.maxConnections). */
  public static final String CONNECTION_LIMIT = "CONNECTION_LIMIT";
  /** A socket closed for silence (no frame within the idle timeout). */
  public static final String IDLE_TIMEOUT = "IDLE_TIMEOUT";
  /** An agent's tool inputSchema refused (not a usable JSON Schema, a remote $ref, a pattern that is not RE2). */
  public static final String INVALID_SCHEMA = "INVALID_SCHEMA";
  /** A /ws subscribe beyond hub.monitor.maxSubscriptions (the monitor stream's error frame). */
  public static final String SUBSCRIPTION_LIMIT = "SUBSCRIPTION_LIMIT";
  /** New work refused: the node's memory budget (hub.memory.budget) is taken by open transactions. */
  public static final String MEMORY_LIMIT = "MEMORY_LIMIT";
  /** A socket closed for sending more ping, pong and close frames than hub.controlFrameRate. */
  public static final String CONTROL_FRAME_FLOOD = "CONTROL_FRAME_FLOOD";
  /** A socket closed for not completing its handshake within hub.handshakeTimeout. */
  public static final String HANDSHAKE_TIMEOUT = "HANDSHAKE_TIMEOUT";
  /** An upgrade refused because too many sockets (on the node or from one address) have not completed a handshake. */
  public static final String HANDSHAKE_LIMIT = "HANDSHAKE_LIMIT";
  /** A text message that is not valid UTF-8 (close 1007). */
  public static final String INVALID_UTF8 = "INVALID_UTF8";
  /** A frame breaking the WebSocket protocol itself (unmasked, reserved opcode or bits, bad compression): close 1002. */
  public static final String WEBSOCKET_PROTOCOL_ERROR = "WEBSOCKET_PROTOCOL_ERROR";
  /** An HTTP connection closed for not delivering a complete request head within http.requestHeaderTimeout. */
  public static final String REQUEST_HEADER_TIMEOUT = "REQUEST_HEADER_TIMEOUT";
  /** An HTTP request the decoder could not read (bad request line, URI or headers too long): 400/414/431, closed. */
  public static final String MALFORMED_REQUEST = "MALFORMED_REQUEST";
  public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
  public static final String OTHER = "OTHER";

  public static final List<String> ALL = List.of(INVALID_MESSAGE, INVALID_PAYLOAD, TRANSACTION_NOT_FOUND,
      UNSUPPORTED_TYPE, FAILED_AUTH, UNAUTHORIZED, MISSING_TOOL_NAME, TOOL_NOT_FOUND, PROTOCOL_VIOLATION,
      RATE_LIMITED, RUN_LIMIT_EXCEEDED, PROVIDER_LOST, EXECUTION_TIMEOUT, MESSAGE_TOO_LARGE, SLOW_CONSUMER,
      REPLAY_TOO_OLD, AGENT_ERROR, CONNECTION_LIMIT, IDLE_TIMEOUT, INVALID_SCHEMA, SUBSCRIPTION_LIMIT, MEMORY_LIMIT,
      CONTROL_FRAME_FLOOD, HANDSHAKE_TIMEOUT, HANDSHAKE_LIMIT, INVALID_UTF8, WEBSOCKET_PROTOCOL_ERROR,
      REQUEST_HEADER_TIMEOUT, MALFORMED_REQUEST, INTERNAL_ERROR, OTHER);

  private static final Set<String> KNOWN = Set.copyOf(ALL);

  /** The code itself when it is one of ours, else {@link #OTHER}: never a client-chosen label value. */
  public static String bounded(String code) {
    return code != null && KNOWN.contains(code) ? code : OTHER;
  }
}
