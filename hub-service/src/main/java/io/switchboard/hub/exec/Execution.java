package io.switchboard.hub.exec;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * One tool execution (one transaction), owned by the client's node: PENDING at the client's TRANSACTION_START,
 * RUNNING once a provider has it, then COMPLETED, FAILED or CANCELLED (docs/haip.md, "Transactions and
 * executions"). Transitions out of a terminal state are refused. Times in epoch ms, passed in. Pure; one event loop.
 */
public final class Execution {
  public enum Status {
    PENDING, RUNNING, COMPLETED, FAILED, CANCELLED;

    public boolean terminal() {
      return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** The NodeCounters label of a terminal status. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String id;
  private final String toolName;
  private final String sessionId;
  private final long createdAt;
  private final long createdNanos;
  private Status status = Status.PENDING;
  private long startedAt;
  private long endedAt;
  private long durationNanos;
  private String reason;
  private long framesIn;
  private long framesOut;

  public Execution(String id, String toolName, String sessionId, long nowMs, long nowNanos) {
    this.id = id;
    this.toolName = toolName;
    this.sessionId = sessionId;
    this.createdAt = nowMs;
    this.createdNanos = nowNanos;
  }

  /** PENDING → RUNNING; false otherwise. */
  public boolean run(long nowMs) {
    if (status != Status.PENDING) {
      return false;
    }
    status = Status.RUNNING;
    startedAt = nowMs;
    return true;
  }

  /** Any non-terminal state → the given terminal one; false if already terminal. */
  public boolean end(Status terminal, String reason, long nowMs, long nowNanos) {
    if (!terminal.terminal()) {
      throw new IllegalArgumentException("not a terminal status: " + terminal);
    }
    if (status.terminal()) {
      return false;
    }
    status = terminal;
    this.reason = reason;
    endedAt = nowMs;
    durationNanos = Math.max(0, nowNanos - createdNanos);
    return true;
  }

  public void frameIn() {
    framesIn++;
  }

  public void frameOut() {
    framesOut++;
  }

  public String id() {
    return id;
  }

  public String toolName() {
    return toolName;
  }

  public Status status() {
    return status;
  }

  public long createdAt() {
    return createdAt;
  }

  public long durationMicros() {
    return durationNanos / 1000;
  }

  /** Duration in ms: to the end when terminal, else to {@code nowMs}. */
  public long durationMs(long nowMs) {
    return status.terminal() ? durationNanos / 1_000_000 : Math.max(0, nowMs - createdAt);
  }

  public long framesIn() {
    return framesIn;
  }

  public long framesOut() {
    return framesOut;
  }

  /** The monitor {@code status} frame's data. */
  public JsonObject statusJson(long nowMs) {
    JsonObject j = new JsonObject()
        .put("status", status.name())
        .put("toolName", toolName)
        .put("sessionId", sessionId)
        .put("createdAt", createdAt)
        .put("startedAt", startedAt == 0 ? null : startedAt)
        .put("endedAt", endedAt == 0 ? null : endedAt)
        .put("durationMs", durationMs(nowMs));
    if (reason != null) {
      j.put("reason", reason);
    }
    return j;
  }

  /** The monitor {@code metrics} frame's data. */
  public JsonObject metricsJson(long nowMs) {
    return new JsonObject().put("durationMs", durationMs(nowMs)).put("framesIn", framesIn).put("framesOut", framesOut);
  }
}
