package io.switchboard.alert;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import java.net.URI;

/** POSTs a notification's JSON body to a webhook, Slack, PagerDuty or Alertmanager sink; non-2xx is a failure. */
final class HttpSinkTransport implements SinkTransport {
  private final HttpClient client;
  private final SinkConfig sink;

  HttpSinkTransport(HttpClient client, SinkConfig sink) {
    this.client = client;
    this.sink = sink;
  }

  @Override
  public Future<Void> send(SinkDispatcher.Item item) {
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(sink.url())
        .setTimeout(sink.timeoutMs()).putHeader("content-type", "application/json")
        .putHeader("x-switchboard-alert-id", item.eventId());
    sink.headers().forEach(ro::putHeader);
    Buffer body = Buffer.buffer(Json.encode(item.body()));
    return client.request(ro)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2
            ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture("HTTP " + resp.statusCode())))
        .recover(t -> Future.failedFuture(safeReason(t)));
  }

  /** A failure reason without the sink's URL (a secret: Slack and webhook URLs carry tokens in their paths). */
  private String safeReason(Throwable t) {
    String msg = t.getMessage() == null ? "" : t.getMessage();
    try {
      URI u = URI.create(sink.url());
      msg = msg.replace(sink.url(), "****");
      if (u.getRawPath() != null && u.getRawPath().length() > 1) {
        msg = msg.replace(u.getRawPath(), "/****");
      }
      if (u.getRawQuery() != null) {
        msg = msg.replace(u.getRawQuery(), "****");
      }
    } catch (IllegalArgumentException e) {
      msg = "";
    }
    return t.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
  }
}
