package io.switchboard.hub;

import io.micrometer.core.instrument.FunctionCounter;
import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.HubAddresses;
import io.switchboard.common.hub.HubEvent;
import io.switchboard.hub.exec.Execution;
import io.switchboard.hub.protocol.Envelopes;
import io.switchboard.hub.protocol.Frame;
import io.switchboard.hub.protocol.Ids;
import io.switchboard.hub.protocol.MessageTypes;
import io.switchboard.hub.protocol.ReplayRange;
import io.switchboard.hub.session.ReplayWindow;
import io.switchboard.hub.tools.ToolDef;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Transactions: start on a client's node, routed to a provider (local echo, or an agent anywhere through
 * {@link Addresses#tool(String)}), then relayed both ways through the two nodes' single transaction consumers
 * ({@link Addresses#nodeTx(String)}, transaction id and operation in headers). The client's node owns the
 * execution and its counting. Ops toward the agent: {@code a.frame, a.end, a.cancel}; toward the client:
 * {@code c.frame, c.end, c.error, c.lost}.
 */
final class Transactions {
  /** The failure code a provider's node answers with when its memory budget refuses the transaction. */
  static final int MEMORY_LIMIT_FAILURE = 507;

  private final HubRuntime rt;
  private final LongAdder replaysCut = new LongAdder();

  Transactions(HubRuntime rt) {
    this.rt = rt;
    FunctionCounter.builder("switchboard.replay.answers.truncated", replaysCut, LongAdder::sum)
        .description("REPLAY_REQUEST answers cut short by hub.replay.maxAnswerBytes or a full write queue")
        .register(rt.node.metrics().registry());
  }

  // ---- from a session's socket --------------------------------------------------------------------------

  void start(HaipSession s, Frame f) {
    JsonObject p = f.payloadObject();
    Object toolValue = p == null ? null : p.getValue("toolName");
    if (!(toolValue instanceof String tool) || tool.isEmpty()) {
      s.error(ErrorCodes.MISSING_TOOL_NAME, "TRANSACTION_START needs payload.toolName", f.id, f.transaction);
      return;
    }
    if (s.openClientTxs() >= rt.settings.maxTransactionsPerSession()) {
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
      memoryLimit(s, f);
      return;
    }
    String txId = Ids.uuid();
    long now = System.currentTimeMillis();
    Execution exec = new Execution(txId, tool, s.id, now, System.nanoTime());
    ClientTx ct = new ClientTx(txId, s, exec, echo, rt.newReplay());
    s.clientTxs().put(txId, ct);
    rt.clientTx.put(txId, ct);
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
        .put("clientNode", rt.nodeId).put("clientClusterNode", rt.clusterNodeId());
    rt.bus.<JsonObject>request(Addresses.tool(tool), req, new DeliveryOptions().setSendTimeout(HubSettings.PROVIDER_TIMEOUT_MS))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            JsonObject r = ar.result().body();
            ct.providerNode = r.getString("node");
            ct.providerClusterNode = r.getString("clusterNode");
            if (exec.status().terminal()) {
              toNode(ct.providerNode, txId, TxOp.AGENT_CANCEL, new JsonObject().put("reason", "client gone"));
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

  private void memoryLimit(HaipSession s, Frame f) {
    s.error(ErrorCodes.MEMORY_LIMIT, "the node has no memory for another transaction (hub.memory.budget): retry later",
        f.id, f.transaction);
  }

  private void accepted(ClientTx ct, String referenceId) {
    ct.client.send(Envelopes.frame(ct.client.id, ct.id, "SYSTEM", MessageTypes.TRANSACTION_START, new JsonObject()
        .put("referenceId", referenceId).put("toolName", ct.exec.toolName()).put("status", "RUNNING")), ct.replay);
    rt.monitors.status(ct);
  }

  void relay(HaipSession s, Frame f) {
    ClientTx ct = s.clientTxs == null ? null : s.clientTxs.get(f.transaction);
    if (ct != null) {
      ct.exec.frameIn();
      rt.monitors.log(ct, "in", f.type, f.id, f.size);
      if (ct.echo) {
        if (MessageTypes.MESSAGE.equals(f.type) || MessageTypes.AUDIO.equals(f.type)) {
          JsonObject out = Envelopes.frame(s.id, ct.id, "AGENT", f.type, f.payload);
          s.send(out, ct.replay);
          ct.exec.frameOut();
          rt.monitors.log(ct, "out", f.type, out.getString("id"), -1);
        }
      } else if (ct.providerNode != null) {
        toNode(ct.providerNode, ct.id, TxOp.AGENT_FRAME, f.json);
      } else {
        s.error(ErrorCodes.TRANSACTION_NOT_FOUND, "transaction not started yet", f.id, f.transaction);
      }
      return;
    }
    ProviderTx pt = s.providerTxs == null ? null : s.providerTxs.get(f.transaction);
    if (pt != null) {
      toNode(pt.clientNode, pt.id, TxOp.CLIENT_FRAME, f.json);
      return;
    }
    notFound(s, f);
  }

  void end(HaipSession s, Frame f) {
    ClientTx ct = s.clientTxs == null ? null : s.clientTxs.get(f.transaction);
    if (ct != null) {
      rt.monitors.log(ct, "in", f.type, f.id, f.size);
      if (!ct.echo && ct.providerNode != null) {
        toNode(ct.providerNode, ct.id, TxOp.AGENT_END, f.json);
      }
      finish(ct, Execution.Status.COMPLETED, null);
      return;
    }
    ProviderTx pt = s.providerTxs == null ? null : s.providerTxs.get(f.transaction);
    if (pt != null) {
      dropProvider(pt);
      toNode(pt.clientNode, pt.id, TxOp.CLIENT_END, f.json);
      return;
    }
    notFound(s, f);
  }

  void errorFrom(HaipSession s, Frame f) {
    ProviderTx pt = f.transaction == null || s.providerTxs == null ? null : s.providerTxs.get(f.transaction);
    if (pt != null) {
      dropProvider(pt);
      toNode(pt.clientNode, pt.id, TxOp.CLIENT_ERROR, f.json);
    }
    // A client's own ERROR frame is accepted and ignored.
  }

  void join(HaipSession s, Frame f) {
    ClientTx ct = f.transaction == null || s.clientTxs == null ? null : s.clientTxs.get(f.transaction);
    if (ct == null) {
      notFound(s, f);
      return;
    }
    s.send(Envelopes.frame(s.id, ct.id, "SYSTEM", MessageTypes.TRANSACTION_JOIN, new JsonObject()
        .put("toolName", ct.exec.toolName()).put("status", ct.exec.status().name())), ct.replay);
  }

  /**
   * REPLAY_REQUEST: every request gets one answer. A bad range, an unknown transaction or a range that left the
   * window gets an ERROR; otherwise the kept frames in range are resent (at most hub.replay.maxAnswerBytes of them,
   * and none once the socket's write queue is full), followed by an INFO on channel SYSTEM saying how many were
   * sent and, when cut short, the seq to ask from for the rest.
   */
  void replay(HaipSession s, Frame f) {
    ReplayWindow w = null;
    if (f.transaction != null) {
      ClientTx ct = s.clientTxs == null ? null : s.clientTxs.get(f.transaction);
      ProviderTx pt = ct != null || s.providerTxs == null ? null : s.providerTxs.get(f.transaction);
      w = ct != null ? ct.replay : pt != null ? pt.replay : null;
    }
    if (w == null) {
      notFound(s, f);
      return;
    }
    JsonObject p = f.payloadObject();
    ReplayRange range = p == null ? ReplayRange.parse(null, null) : ReplayRange.parse(p.getValue("from_seq"), p.getValue("to_seq"));
    if (!range.ok()) {
      s.error(ErrorCodes.INVALID_PAYLOAD, range.problem(), f.id, f.transaction);
      return;
    }
    ReplayWindow.Replay r = w.replay(range.from(), range.to(), System.currentTimeMillis(), rt.settings.replayMaxAnswerBytes());
    if (r.tooOld()) {
      s.error(ErrorCodes.REPLAY_TOO_OLD, "frames from seq " + range.from() + " have left the replay window", f.id, f.transaction);
      return;
    }
    long next = r.nextSeq();
    String cut = next >= 0 ? "hub.replay.maxAnswerBytes" : null;
    int sent = 0;
    for (String text : r.frames()) {
      if (s.ws.writeQueueFull()) {
        next = r.seqs().get(sent);
        cut = "write queue full";
        break;
      }
      s.writeText(text);
      sent++;
    }
    JsonObject answer = new JsonObject().put("related_id", f.id).put("from_seq", Long.toString(range.from()))
        .put("frames", sent).put("complete", next < 0);
    if (next >= 0) {
      replaysCut.increment();
      answer.put("next_seq", Long.toString(next)).put("limit", cut);
    }
    s.send(Envelopes.frame(s.id, f.transaction, "SYSTEM", MessageTypes.INFO, new JsonObject().put("replay", answer)), null);
  }

  private void notFound(HaipSession s, Frame f) {
    s.error(ErrorCodes.TRANSACTION_NOT_FOUND, "no transaction "
        + (f.transaction == null ? "named" : HaipSession.clip(f.transaction)) + " in this session", f.id, f.transaction);
  }

  // ---- provider side ------------------------------------------------------------------------------------

  /** A client's node asks this agent to take a transaction (on the agent's event loop). */
  void onProviderRequest(HaipSession agent, Message<JsonObject> m) {
    if (agent.closed) {
      m.fail(503, "provider gone");
      return;
    }
    if (!rt.memory.startTransaction()) {
      // the client's node answers MEMORY_LIMIT and counts it; this node counts the refusal in its budget
      m.fail(MEMORY_LIMIT_FAILURE, "memory limit");
      return;
    }
    JsonObject b = m.body();
    String txId = b.getString("tx");
    ProviderTx pt = new ProviderTx(txId, agent, b.getString("clientNode"), b.getString("clientClusterNode"), rt.newReplay());
    agent.providerTxs().put(txId, pt);
    rt.providerTx.put(txId, pt);
    agent.send(Envelopes.frame(agent.id, txId, "SYSTEM", MessageTypes.TRANSACTION_START, new JsonObject()
        .put("toolName", b.getString("toolName")).put("params", b.getValue("params"))
        .put("client", b.getJsonObject("client"))), pt.replay);
    m.reply(new JsonObject().put("node", rt.nodeId).put("clusterNode", rt.clusterNodeId()).put("session", agent.id));
  }

  private void dropProvider(ProviderTx pt) {
    if (pt.replay.close()) {
      rt.memory.endTransaction();
    }
    rt.providerTx.remove(pt.id);
    if (pt.agent.providerTxs != null) {
      pt.agent.providerTxs.remove(pt.id);
    }
  }

  // ---- the node's transaction consumer ------------------------------------------------------------------

  void onNodeTx(Message<JsonObject> m) {
    String txId = m.headers().get(HubAddresses.TX_HEADER);
    TxOp op = TxOp.of(m.headers().get(HubAddresses.OP_HEADER));
    if (txId == null || op == null) {
      return;
    }
    JsonObject body = m.body();
    if (op.toAgent) {
      ProviderTx pt = rt.providerTx.get(txId);
      if (pt != null) {
        HubRuntime.on(pt.agent.ctx, () -> toAgentSocket(pt, op, body));
      }
    } else {
      ClientTx ct = rt.clientTx.get(txId);
      if (ct != null) {
        HubRuntime.on(ct.client.ctx, () -> toClientSocket(ct, op, body));
      }
    }
  }

  private void toAgentSocket(ProviderTx pt, TxOp op, JsonObject body) {
    HaipSession a = pt.agent;
    if (a.providerTxs == null || a.providerTxs.get(pt.id) != pt) {
      return;
    }
    switch (op) {
      case AGENT_FRAME -> a.send(body.put("session", a.id), pt.replay);
      case AGENT_END -> {
        dropProvider(pt);
        a.send(body.put("session", a.id), pt.replay);
      }
      case AGENT_CANCEL -> {
        dropProvider(pt);
        a.send(Envelopes.frame(a.id, pt.id, "SYSTEM", MessageTypes.TRANSACTION_END, new JsonObject()
            .put("status", "CANCELLED").put("reason", body.getString("reason", "cancelled"))), pt.replay);
      }
      default -> { }
    }
  }

  private void toClientSocket(ClientTx ct, TxOp op, JsonObject body) {
    HaipSession c = ct.client;
    if (ct.exec.status().terminal()) {
      return;
    }
    switch (op) {
      case CLIENT_FRAME -> {
        c.send(body.put("session", c.id), ct.replay);
        ct.exec.frameOut();
        rt.monitors.log(ct, "out", body.getString("type"), body.getString("id"), -1);
      }
      case CLIENT_END -> {
        c.send(body.put("session", c.id), ct.replay);
        rt.monitors.log(ct, "out", MessageTypes.TRANSACTION_END, body.getString("id"), -1);
        finish(ct, Execution.Status.COMPLETED, null);
      }
      case CLIENT_ERROR -> {
        rt.counters.error(ErrorCodes.AGENT_ERROR);
        c.send(body.put("session", c.id), ct.replay);
        failTo(ct, ErrorCodes.AGENT_ERROR, null);
      }
      case CLIENT_LOST -> providerLost(ct);
      default -> { }
    }
  }

  private void providerLost(ClientTx ct) {
    ct.client.error(ErrorCodes.PROVIDER_LOST, "the provider of this transaction left", null, ct.id);
    failTo(ct, ErrorCodes.PROVIDER_LOST, null);
  }

  /** Ends a transaction as FAILED: tells the client with a TRANSACTION_END, the agent (if any) with a cancel. */
  private void failTo(ClientTx ct, String code, String agentReason) {
    ct.client.send(Envelopes.frame(ct.client.id, ct.id, "SYSTEM", MessageTypes.TRANSACTION_END, new JsonObject()
        .put("status", "FAILED").put("reason", code)), ct.replay);
    if (agentReason != null && ct.providerNode != null) {
      toNode(ct.providerNode, ct.id, TxOp.AGENT_CANCEL, new JsonObject().put("reason", agentReason));
    }
    finish(ct, Execution.Status.FAILED, code);
  }

  /** Terminal state: count, tell watchers, forget (on the client's event loop). */
  void finish(ClientTx ct, Execution.Status status, String reason) {
    if (!ct.exec.end(status, reason, System.currentTimeMillis(), System.nanoTime())) {
      return;
    }
    rt.counters.executionEnded(status.label(), ct.exec.durationMicros());
    ct.replay.close();
    rt.memory.endTransaction();
    rt.clientTx.remove(ct.id);
    if (ct.client.clientTxs != null) {
      ct.client.clientTxs.remove(ct.id);
    }
    rt.monitors.ended(ct);
  }

  /** Sends {@code op} for transaction {@code txId} to {@code node}'s transaction address (either side). */
  private void toNode(String node, String txId, TxOp op, JsonObject body) {
    rt.bus.send(Addresses.nodeTx(node), body, new DeliveryOptions().addHeader(HubAddresses.TX_HEADER, txId)
        .addHeader(HubAddresses.OP_HEADER, op.wire));
  }

  // ---- session and node loss, timeouts ------------------------------------------------------------------

  /** A session closed (its event loop): its transactions are CANCELLED, the ones it served lose their provider. */
  void sessionClosed(HaipSession s) {
    if (s.clientTxs != null) {
      for (ClientTx ct : new ArrayList<>(s.clientTxs.values())) {
        if (!ct.echo && ct.providerNode != null) {
          toNode(ct.providerNode, ct.id, TxOp.AGENT_CANCEL, new JsonObject().put("reason", "client disconnected"));
        }
        finish(ct, Execution.Status.CANCELLED, "client disconnected");
      }
    }
    if (s.providerTxs != null) {
      for (ProviderTx pt : new ArrayList<>(s.providerTxs.values())) {
        dropProvider(pt);
        toNode(pt.clientNode, pt.id, TxOp.CLIENT_LOST, new JsonObject());
      }
    }
  }

  /** A cluster member left: fail what it served, cancel what it asked for. */
  void memberLeft(String clusterNodeId) {
    for (ClientTx ct : rt.clientTx.values()) {
      if (clusterNodeId.equals(ct.providerClusterNode)) {
        HubRuntime.on(ct.client.ctx, () -> {
          if (!ct.exec.status().terminal()) {
            providerLost(ct);
          }
        });
      }
    }
    for (ProviderTx pt : rt.providerTx.values()) {
      if (clusterNodeId.equals(pt.clientClusterNode)) {
        HubRuntime.on(pt.agent.ctx, () -> toAgentSocket(pt, TxOp.AGENT_CANCEL, new JsonObject().put("reason", "client node left")));
      }
    }
  }

  /**
   * Memory pressure tick (hub.memory.budget): moves the budget's age cutoff and, above its high-water mark, sheds
   * every window to it, each on its own event loop, so the oldest replay frames leave first across the node.
   */
  void memorySweep(long nowMs) {
    long cutoff = rt.memory.adjust(nowMs);
    if (cutoff <= 0 || rt.memory.replayBytes() == 0) {
      return;
    }
    for (ClientTx ct : rt.clientTx.values()) {
      HubRuntime.on(ct.client.ctx, () -> ct.replay.shed(cutoff, System.currentTimeMillis()));
    }
    for (ProviderTx pt : rt.providerTx.values()) {
      HubRuntime.on(pt.agent.ctx, () -> pt.replay.shed(cutoff, System.currentTimeMillis()));
    }
  }

  /** Fails executions older than hub.execution.timeout. */
  void sweep(long nowMs) {
    long timeout = rt.settings.executionTimeoutMs();
    for (ClientTx ct : rt.clientTx.values()) {
      if (nowMs - ct.exec.createdAt() > timeout) {
        HubRuntime.on(ct.client.ctx, () -> {
          if (!ct.exec.status().terminal()) {
            ct.client.error(ErrorCodes.EXECUTION_TIMEOUT, "the transaction outlived " + timeout + " ms", null, ct.id);
            failTo(ct, ErrorCodes.EXECUTION_TIMEOUT, "timeout");
          }
        });
      }
    }
  }
}
