package io.switchboard.hub;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Scope;
import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.HubEvent;
import io.switchboard.hub.exec.Execution;
import io.switchboard.hub.protocol.Envelopes;
import io.switchboard.hub.protocol.Frame;
import io.switchboard.hub.protocol.Ids;
import io.switchboard.hub.protocol.MessageTypes;
import io.switchboard.hub.tools.ToolDef;
import io.switchboard.common.tracing.NodeTracing;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of transactions, on the client's node: starts them (checks, the provider's acceptance through
 * {@link Addresses#tool(String)}), relays the client's frames toward the provider, writes the provider's frames to the
 * client, and ends them, counting each execution once. Every method runs on the client session's event loop.
 */
final class ClientSide {
  private static final Logger LOG = LoggerFactory.getLogger(ClientSide.class);
  /** The failure code a provider's node answers with when its memory budget refuses the transaction. */
  static final int MEMORY_LIMIT_FAILURE = 507;

  private final Hub rt;
  private final TxRouting routing;

  ClientSide(Hub rt, TxRouting routing) {
    this.rt = rt;
    this.routing = routing;
  }

  void start(HaipSession s, Frame f) {
    JsonObject p = f.payloadObject();
    Object toolValue = p == null ? null : p.getValue("toolName");
    if (!(toolValue instanceof String tool) || tool.isEmpty()) {
      s.error(ErrorCodes.MISSING_TOOL_NAME, "TRANSACTION_START needs payload.toolName", f.id, f.transaction);
      return;
    }
    if (!s.identity.mayCall(tool)) {
      s.error(ErrorCodes.UNAUTHORIZED, "calling tool " + HaipSession.clip(tool) + " is not permitted by the credential",
          f.id, f.transaction);
      return;
    }
    if (s.txs.startedCount() >= rt.settings.maxTransactionsPerSession()) {
      s.error(ErrorCodes.RUN_LIMIT_EXCEEDED, "at most " + rt.settings.maxTransactionsPerSession()
          + " open transactions per session", f.id, f.transaction);
      return;
    }
    ToolDef def = rt.directory.find(tool);
    if (def == null) {
      s.error(ErrorCodes.TOOL_NOT_FOUND, "no tool named " + HaipSession.clip(tool) + " in the cluster", f.id, f.transaction);
      return;
    }
    boolean echo = ToolDef.ECHO.equals(tool);
    Object params = p.getValue("params");
    if (!echo && params != null) {
      String problem = def.input().check(params);
      if (problem != null) {
        s.error(ErrorCodes.INVALID_PAYLOAD, "params do not match the tool's input schema: " + problem, f.id, f.transaction);
        return;
      }
    }
    if (!rt.memory.startTransaction()) {
      s.error(ErrorCodes.MEMORY_LIMIT, "the node has no memory for another transaction (hub.memory.budget): retry later",
          f.id, f.transaction);
      return;
    }
    String txId = Ids.uuid();
    long now = System.currentTimeMillis();
    Execution exec = new Execution(txId, tool, s.id, now, System.nanoTime());
    SpanContext parent = rt.spans.clientParent(p);
    Span span = rt.spans.transaction(s, parent != null ? parent : s.traceParent, txId, tool, f.transaction);
    ClientTx ct = new ClientTx(txId, s, exec, echo, rt.newReplay(), span);
    try (Scope ignored = TxSpans.current(span)) {
      LOG.debug("transaction {} started by session {}: tool {}", txId, s.id, tool);
    }
    s.txs.add(ct);
    routing.add(ct);
    rt.counters.executionStarted();
    rt.events.emit(HubEvent.TOOL_CALL, s.id, new JsonObject().put("toolName", tool).put("executionId", txId)
        .put("referenceId", f.transaction));
    String ref = f.transaction;
    if (echo) {
      exec.run(now);
      accepted(ct, ref);
      return;
    }
    JsonObject req = new JsonObject().put("tx", txId).put("toolName", tool).put("params", params)
        .put("client", new JsonObject().put("session", s.id).put("node", rt.nodeId))
        .put("clientNode", rt.nodeId).put("clientClusterNode", rt.member.id()).put(TxRouting.READS_MEMBERS, true);
    Future<Message<JsonObject>> asked;
    // the request carries the transaction's trace to the provider's node (vertx-opentelemetry, message headers)
    try (Scope ignored = TxSpans.current(span)) {
      asked = rt.bus.request(Addresses.tool(tool), req, new DeliveryOptions().setSendTimeout(HubSettings.PROVIDER_TIMEOUT_MS));
    }
    asked.onComplete(ar -> {
      if (ar.succeeded()) {
        JsonObject r = ar.result().body();
        ct.providerNode = r.getString("node");
        ct.providerClusterNode = r.getString("clusterNode");
        ct.providerReadsMembers = Boolean.TRUE.equals(r.getValue(TxRouting.READS_MEMBERS));
        if (exec.status().terminal()) {
          routing.send(ct.providerNode, txId, TxOp.AGENT_CANCEL, new JsonObject().put("reason", "client gone"));
          return;
        }
        exec.run(System.currentTimeMillis());
        accepted(ct, ref);
      } else if (!exec.status().terminal()) {
        boolean none = ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
        boolean full = ar.cause() instanceof ReplyException re2 && re2.failureType() == ReplyFailure.RECIPIENT_FAILURE
            && re2.failureCode() == MEMORY_LIMIT_FAILURE;
        String code = none ? ErrorCodes.TOOL_NOT_FOUND : full ? ErrorCodes.MEMORY_LIMIT : ErrorCodes.PROVIDER_LOST;
        s.error(code, none ? "no provider for tool " + HaipSession.clip(tool)
            : full ? "the provider's node has no memory for another transaction: retry later"
            : "provider did not take the transaction", f.id, f.transaction);
        finish(ct, Execution.Status.FAILED, code);
      }
    });
  }

  private void accepted(ClientTx ct, String referenceId) {
    JsonObject started = new JsonObject()
        .put("referenceId", referenceId).put("toolName", ct.exec.toolName()).put("status", "RUNNING");
    String traceparent = NodeTracing.traceparentOf(ct.span);
    if (traceparent != null) {
      started.put("traceparent", traceparent);
    }
    ct.client.send(Envelopes.frame(ct.client.id, ct.id, "SYSTEM", MessageTypes.TRANSACTION_START, started), ct.replay);
    rt.monitors.status(ct);
  }

  /** A frame from the client within its transaction: echoed back, or sent on to the provider's node. */
  void relay(HaipSession s, ClientTx ct, Frame f) {
    ct.exec.frameIn();
    rt.monitors.log(ct, "in", f.type, f.id, f.size);
    if (ct.echo) {
      if (MessageTypes.MESSAGE.equals(f.type) || MessageTypes.AUDIO.equals(f.type)) {
        String outId = s.send(ct.id, "AGENT", f.type, f.payloadJson(), ct.replay);
        ct.exec.frameOut();
        rt.monitors.log(ct, "out", f.type, outId, -1);
      }
    } else if (ct.providerNode != null) {
      routing.forward(ct.providerNode, ct.id, TxOp.AGENT_FRAME, f, ct.providerReadsMembers);
    } else {
      s.error(ErrorCodes.TRANSACTION_NOT_FOUND, "transaction not started yet", f.id, f.transaction);
    }
  }

  /** The client's TRANSACTION_END: COMPLETED, and the provider's node told. */
  void end(ClientTx ct, Frame f) {
    rt.monitors.log(ct, "in", f.type, f.id, f.size);
    if (!ct.echo && ct.providerNode != null) {
      routing.forward(ct.providerNode, ct.id, TxOp.AGENT_END, f, ct.providerReadsMembers);
    }
    finish(ct, Execution.Status.COMPLETED, null);
  }

  void join(HaipSession s, ClientTx ct) {
    s.send(Envelopes.frame(s.id, ct.id, "SYSTEM", MessageTypes.TRANSACTION_JOIN, new JsonObject()
        .put("toolName", ct.exec.toolName()).put("status", ct.exec.status().name())), ct.replay);
  }

  /** A message from the provider's node ({@link TxOp#toAgent} false), on the client's loop. */
  void fromProvider(ClientTx ct, TxOp op, JsonObject body) {
    HaipSession c = ct.client;
    if (ct.exec.status().terminal()) {
      return;
    }
    switch (op) {
      case CLIENT_FRAME -> {
        c.forward(body, ct.replay);
        ct.exec.frameOut();
        rt.monitors.log(ct, "out", body.getString("type"), body.getString("id"), -1);
      }
      case CLIENT_END -> {
        c.forward(body, ct.replay);
        rt.monitors.log(ct, "out", MessageTypes.TRANSACTION_END, body.getString("id"), -1);
        finish(ct, Execution.Status.COMPLETED, null);
      }
      case CLIENT_ERROR -> {
        rt.counters.error(ErrorCodes.AGENT_ERROR);
        c.forward(body, ct.replay);
        fail(ct, ErrorCodes.AGENT_ERROR, null);
      }
      case CLIENT_LOST -> providerLost(ct);
      default -> { }
    }
  }

  /** The provider's session or node left: FAILED with PROVIDER_LOST, when still open. */
  void providerLost(ClientTx ct) {
    if (ct.exec.status().terminal()) {
      return;
    }
    ct.client.error(ErrorCodes.PROVIDER_LOST, "the provider of this transaction left", null, ct.id);
    fail(ct, ErrorCodes.PROVIDER_LOST, null);
  }

  /** It outlived hub.execution.timeout: FAILED with EXECUTION_TIMEOUT, the agent told, when still open. */
  void timedOut(ClientTx ct, long timeoutMs) {
    if (ct.exec.status().terminal()) {
      return;
    }
    ct.client.error(ErrorCodes.EXECUTION_TIMEOUT, "the transaction outlived " + timeoutMs + " ms", null, ct.id);
    fail(ct, ErrorCodes.EXECUTION_TIMEOUT, "timeout");
  }

  /** The client's socket closed: CANCELLED, the agent told. */
  void clientGone(ClientTx ct) {
    if (!ct.echo && ct.providerNode != null) {
      routing.send(ct.providerNode, ct.id, TxOp.AGENT_CANCEL, new JsonObject().put("reason", "client disconnected"));
    }
    finish(ct, Execution.Status.CANCELLED, "client disconnected");
  }

  /** Ends a transaction as FAILED: tells the client with a TRANSACTION_END, the agent (if any) with a cancel. */
  private void fail(ClientTx ct, String code, String agentReason) {
    ct.client.send(Envelopes.frame(ct.client.id, ct.id, "SYSTEM", MessageTypes.TRANSACTION_END, new JsonObject()
        .put("status", "FAILED").put("reason", code)), ct.replay);
    if (agentReason != null && ct.providerNode != null) {
      routing.send(ct.providerNode, ct.id, TxOp.AGENT_CANCEL, new JsonObject().put("reason", agentReason));
    }
    finish(ct, Execution.Status.FAILED, code);
  }

  /** Terminal state: count, tell watchers, forget. */
  private void finish(ClientTx ct, Execution.Status status, String reason) {
    if (!ct.exec.end(status, reason, System.currentTimeMillis(), System.nanoTime())) {
      return;
    }
    rt.spans.transactionEnded(ct, status, reason);
    rt.counters.executionEnded(status.label(), ct.exec.durationMicros());
    ct.replay.close();
    rt.memory.endTransaction();
    routing.remove(ct);
    ct.client.txs.remove(ct);
    rt.monitors.ended(ct);
  }
}
