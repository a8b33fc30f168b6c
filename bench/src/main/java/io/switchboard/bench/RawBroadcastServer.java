package io.switchboard.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fan-out ceiling: a bare Vert.x server with no hub logic. On {@code /ws} it takes the monitor stream's
 * {@code subscribe} requests ({@code executionId} or {@code topic}) and acknowledges them; on any other path it
 * answers HAIP like {@link RawEchoServer}. It sends the frames the hub sends for the same traffic, of the same form
 * and sizes (docs/monitor.md, Frames; the hub's with tracing on, its default): a subscriber of an execution gets
 * {@code subscribed} and then the execution's {@code status}, to itself alone, and for each MESSAGE every subscriber
 * gets a {@code log} in and a {@code log} out. Topic {@code stats} gets a frame of {@code statsBytes} every
 * {@code statsIntervalMs}. Each broadcast frame is encoded once; each event loop gets one task per frame that writes
 * the same bytes to each of its subscribers. One instance per event loop, sharing the port and the {@link Board}.
 */
public final class RawBroadcastServer extends VerticleBase {
  /** An execution as the hub's status frame describes it (its echo tool, one node). */
  private record Execution(String session, String traceId, long createdAt) {}

  /** Subscribers by subscription key ({@code exec:<id>} or {@code topic:<name>}), then by owning context. */
  public static final class Board {
    final Map<String, Map<Context, Set<ServerWebSocket>>> subs = new ConcurrentHashMap<>();
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final String nodeId = UUID.randomUUID().toString();

    void add(String key, Context ctx, ServerWebSocket ws) {
      subs.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).computeIfAbsent(ctx, c -> new HashSet<>()).add(ws);
    }

    void remove(String key, Context ctx, ServerWebSocket ws) {
      Map<Context, Set<ServerWebSocket>> byCtx = subs.get(key);
      Set<ServerWebSocket> set = byCtx == null ? null : byCtx.get(ctx);
      if (set != null) {
        set.remove(ws);
      }
    }

    /** Encodes {@code text} once and writes it to every subscriber of {@code key}, one task per context. */
    void broadcast(String key, String text) {
      Map<Context, Set<ServerWebSocket>> byCtx = subs.get(key);
      if (byCtx == null) {
        return;
      }
      ByteBuf bytes = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
      byCtx.forEach((ctx, set) -> ctx.runOnContext(v -> {
        for (ServerWebSocket ws : set) {
          ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes.duplicate(), true));
        }
      }));
    }
  }

  private final int port;
  private final Board board;
  private final long statsIntervalMs;
  private final int statsBytes;
  private final boolean publisher;
  private HttpServer server;

  public RawBroadcastServer(int port, Board board, long statsIntervalMs, int statsBytes, boolean publisher) {
    this.port = port;
    this.board = board;
    this.statsIntervalMs = statsIntervalMs;
    this.statsBytes = statsBytes;
    this.publisher = publisher;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("0.0.0.0")
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20).setTcpNoDelay(true));
    server.webSocketHandler(ws -> {
      if ("/ws".equals(ws.path())) {
        monitor(ws);
      } else {
        haip(ws);
      }
    });
    server.requestHandler(req -> req.response().end("raw-broadcast: /ws monitor, HAIP on any other path\n"));
    if (publisher && statsIntervalMs > 0) {
      String pad = "x".repeat(Math.max(0, statsBytes - 120));
      vertx.setPeriodic(statsIntervalMs, t -> {
        long now = System.currentTimeMillis();
        board.broadcast("topic:stats", "{\"type\":\"stats\",\"topic\":\"stats\",\"data\":{\"timestamp\":" + now
            + ",\"pad\":\"" + pad + "\"},\"timestamp\":" + now + "}");
      });
    }
    return server.listen();
  }

  private void monitor(ServerWebSocket ws) {
    Context ctx = vertx.getOrCreateContext();
    Set<String> keys = new HashSet<>();
    ws.textMessageHandler(text -> {
      JsonObject req;
      try {
        req = new JsonObject(text);
      } catch (RuntimeException e) {
        return;
      }
      String exec = req.getString("executionId");
      String topic = req.getString("topic");
      String key = exec != null ? "exec:" + exec : "topic:" + topic;
      JsonObject ack = new JsonObject().put("type", req.getString("type", "").equals("subscribe") ? "subscribed" : "unsubscribed");
      if (exec != null) {
        ack.put("executionId", exec);
      } else {
        ack.put("topic", topic);
      }
      ws.writeTextMessage(ack.put("data", new JsonObject()).put("timestamp", System.currentTimeMillis()).encode());
      if ("subscribe".equals(req.getString("type")) && keys.add(key)) {
        board.add(key, ctx, ws);
        Execution e = exec == null ? null : board.executions.get(exec);
        if (e != null) {
          ws.writeTextMessage(status(exec, e, board.nodeId));
        }
      } else if ("unsubscribe".equals(req.getString("type")) && keys.remove(key)) {
        board.remove(key, ctx, ws);
      }
    });
    ws.exceptionHandler(e -> { });
    ws.closeHandler(v -> keys.forEach(k -> board.remove(k, ctx, ws)));
  }

  private void haip(ServerWebSocket ws) {
    String session = UUID.randomUUID().toString();
    long[] seq = {0};
    ws.writeTextMessage(Haip.envelope(UUID.randomUUID().toString(), session, null, ++seq[0], "SYSTEM", "HAI",
        new JsonObject().put("haip_version", Haip.VERSION).put("accept_major", new JsonArray().add(1))
            .put("accept_events", Haip.ALL_EVENTS.copy())).encode());
    ws.textMessageHandler(text -> {
      if (Haip.isMessage(text)) {
        String tx = field(text, "transaction");
        Execution e = board.executions.get(tx);
        String traceId = e == null ? null : e.traceId();
        board.broadcast("exec:" + tx, log(tx, "in", field(text, "id"), text.length(), traceId));
        ws.writeTextMessage(text);
        board.broadcast("exec:" + tx, log(tx, "out", UUID.randomUUID().toString(), -1, traceId));
        return;
      }
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        return;
      }
      switch (f.getString("type", "")) {
        case "TRANSACTION_START" -> {
          String tx = UUID.randomUUID().toString();
          board.executions.put(tx, new Execution(session, UUID.randomUUID().toString().replace("-", ""),
              System.currentTimeMillis()));
          ws.writeTextMessage(Haip.envelope(UUID.randomUUID().toString(), session, tx, ++seq[0], "SYSTEM",
              "TRANSACTION_START", new JsonObject().put("referenceId", f.getString("transaction"))).encode());
        }
        case "PING" -> ws.writeTextMessage(Haip.envelope(UUID.randomUUID().toString(), session, null, ++seq[0],
            "SYSTEM", "PONG", f.getValue("payload")).encode());
        default -> { }
      }
    });
  }

  /** The hub's {@code log} frame of an echoed MESSAGE (docs/monitor.md, Frames). */
  private static String log(String tx, String direction, String frameId, int bytes, String traceId) {
    return "{\"type\":\"log\",\"executionId\":\"" + tx + "\",\"data\":{\"direction\":\"" + direction
        + "\",\"type\":\"MESSAGE\",\"frameId\":\"" + frameId + "\"" + (bytes >= 0 ? ",\"bytes\":" + bytes : "")
        + "},\"timestamp\":" + System.currentTimeMillis() + (traceId == null ? "" : ",\"traceId\":\"" + traceId + "\"")
        + "}";
  }

  /** The hub's {@code status} frame of a running echo execution, as a subscriber gets it first. */
  private static String status(String tx, Execution e, String nodeId) {
    long now = System.currentTimeMillis();
    JsonObject data = new JsonObject().put("status", "RUNNING").put("toolName", "echo").put("sessionId", e.session())
        .put("createdAt", e.createdAt()).put("startedAt", e.createdAt()).putNull("endedAt")
        .put("durationMs", now - e.createdAt()).put("clientNode", nodeId).put("providerNode", nodeId);
    return new JsonObject().put("type", "status").put("executionId", tx).put("data", data).put("timestamp", now)
        .put("traceId", e.traceId()).encode();
  }

  /** The string value of {@code "name":"..."} in a compact frame (the generator's frames need no escaping). */
  private static String field(String text, String name) {
    String key = "\"" + name + "\":\"";
    int i = text.indexOf(key);
    if (i < 0) {
      return "";
    }
    int start = i + key.length();
    int end = text.indexOf('"', start);
    return end < 0 ? "" : text.substring(start, end);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
