package io.switchboard.hub;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.switchboard.common.tracing.NodeTracing;
import io.switchboard.hub.exec.Execution;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * The spans of HAIP sessions and transactions (docs/operations.md, Tracing): a session's span from its handshake to its
 * close; a transaction's span on the client's node from its start to its end, child of the client's
 * {@code traceparent} (TRANSACTION_START's, else the HAI's) or a root; on the provider's node the handling span,
 * child of the event-bus hop that vertx-opentelemetry carried across, and the delivery to the agent, whose
 * TRANSACTION_START then carries the handling span's {@code traceparent}. Stateless; each span is owned by the
 * session whose loop made it.
 */
final class TxSpans {
  static final AttributeKey<String> SESSION = AttributeKey.stringKey("haip.session.id");
  static final AttributeKey<String> ROLE = AttributeKey.stringKey("haip.role");
  static final AttributeKey<String> PLATFORM = AttributeKey.stringKey("haip.platform");
  static final AttributeKey<String> TOOL = AttributeKey.stringKey("haip.tool");
  static final AttributeKey<String> TRANSACTION = AttributeKey.stringKey("haip.transaction.id");
  static final AttributeKey<String> REFERENCE = AttributeKey.stringKey("haip.reference_id");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("haip.status");
  static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("haip.error.code");
  static final AttributeKey<String> CLIENT_NODE = AttributeKey.stringKey("haip.client.node");
  static final AttributeKey<String> CLIENT_SESSION = AttributeKey.stringKey("haip.client.session.id");
  static final AttributeKey<String> PROVIDER_NODE = AttributeKey.stringKey("haip.provider.node");
  static final AttributeKey<Long> CLOSE_CODE = AttributeKey.longKey("haip.close_code");

  private final NodeTracing tracing;

  TxSpans(NodeTracing tracing) {
    this.tracing = tracing;
  }

  /** The parent a client asks for with {@code traceparent} in a HAI or TRANSACTION_START payload; null if none. */
  SpanContext clientParent(JsonObject payload) {
    return payload == null ? null : tracing.remoteParent(payload.getValue("traceparent"));
  }

  /** A session's span, from its accepted HAI (started at the connection's time) until its close. */
  Span session(HaipSession s, SpanContext parent, long connectedAtMs) {
    return tracing.span("haip.session", SpanKind.SERVER, remote(parent))
        .setStartTimestamp(connectedAtMs, TimeUnit.MILLISECONDS)
        .setAttribute(SESSION, s.id)
        .setAttribute(ROLE, s.role.wire)
        .setAttribute(PLATFORM, s.platform)
        .startSpan();
  }

  void sessionClosed(Span span, Short closeCode) {
    if (closeCode != null) {
      span.setAttribute(CLOSE_CODE, (long) closeCode);
    }
    span.end();
  }

  /**
   * A transaction's span on its client's node, child of {@code parent} (the client's) or a root, linked to the
   * session's span.
   */
  Span transaction(HaipSession s, SpanContext parent, String txId, String tool, String referenceId) {
    var b = tracing.span("haip.transaction " + tool, SpanKind.SERVER, remote(parent))
        .setAttribute(TOOL, tool)
        .setAttribute(TRANSACTION, txId)
        .setAttribute(SESSION, s.id);
    if (referenceId != null) {
      b.setAttribute(REFERENCE, referenceId);
    }
    if (s.span != null && s.span.getSpanContext().isValid()) {
      b.addLink(s.span.getSpanContext());
    }
    return b.startSpan();
  }

  /** Ends a transaction's span with its final status and, when it failed, its error code. */
  void transactionEnded(ClientTx ct, Execution.Status status, String reason) {
    Span span = ct.span;
    span.setAttribute(STATUS, status.name());
    if (ct.providerNode != null) {
      span.setAttribute(PROVIDER_NODE, ct.providerNode);
    }
    if (status == Execution.Status.FAILED) {
      if (reason != null) {
        span.setAttribute(ERROR_CODE, reason);
      }
      span.setStatus(StatusCode.ERROR, reason == null ? "failed" : reason);
    }
    span.end();
  }

  /**
   * The provider node's handling of a transaction, child of the current context (the event-bus hop's span that
   * vertx-opentelemetry made from the message's headers), until the transaction ends here.
   */
  Span provider(HaipSession agent, JsonObject request) {
    JsonObject client = request.getJsonObject("client");
    var b = tracing.span("haip.provide " + request.getString("toolName"), SpanKind.INTERNAL, Context.current())
        .setAttribute(TOOL, request.getString("toolName"))
        .setAttribute(TRANSACTION, request.getString("tx"))
        .setAttribute(SESSION, agent.id)
        .setAttribute(CLIENT_NODE, String.valueOf(request.getString("clientNode")));
    if (client != null && client.getValue("session") instanceof String cs) {
      b.setAttribute(CLIENT_SESSION, cs);
    }
    return b.startSpan();
  }

  /** The delivery of TRANSACTION_START to the agent: a short child of the handling span around {@code write}. */
  void delivery(ProviderTx pt, Runnable write) {
    if (!pt.span.getSpanContext().isValid()) {
      write.run();
      return;
    }
    Span span = tracing.span("haip.deliver TRANSACTION_START", SpanKind.PRODUCER, Context.root().with(pt.span))
        .setAttribute(TRANSACTION, pt.id)
        .setAttribute(SESSION, pt.agent.id)
        .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      write.run();
    } finally {
      span.end();
    }
  }

  void providerEnded(ProviderTx pt, String outcome) {
    pt.span.setAttribute(STATUS, outcome);
    pt.span.end();
  }

  private static Context remote(SpanContext parent) {
    return parent == null ? null : Context.root().with(Span.wrap(parent));
  }

  /** Makes {@code span} current on this event loop (log lines carry its ids; event-bus sends carry its context). */
  static Scope current(Span span) {
    if (!span.getSpanContext().isValid()) {
      return Scope.noop(); // tracing off: nothing to make current
    }
    return Context.root().with(span).makeCurrent();
  }
}
