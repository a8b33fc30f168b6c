package io.switchboard.alert;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;

/**
 * Sends a notification's mail over SMTP (vertx-mail-client): STARTTLS (required), SMTPS, or plain; authenticated
 * when the sink has a username. Failure messages never carry the password or the username.
 */
final class MailSinkTransport implements SinkTransport {
  private final SinkConfig.Smtp smtp;
  private final MailClient client;

  MailSinkTransport(Vertx vertx, SinkConfig sink) {
    this.smtp = sink.smtp();
    MailConfig cfg = new MailConfig().setHostname(smtp.host()).setPort(smtp.port())
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, sink.timeoutMs()))
        .setKeepAlive(true).setMaxPoolSize(1).setTrustAll(smtp.trustAll());
    switch (smtp.tls()) {
      case STARTTLS -> cfg.setStarttls(StartTLSOptions.REQUIRED);
      case SMTPS -> cfg.setSsl(true).setStarttls(StartTLSOptions.DISABLED);
      case NONE -> cfg.setStarttls(StartTLSOptions.DISABLED);
    }
    if (smtp.username() != null) {
      cfg.setLogin(LoginOption.REQUIRED).setAuthMethods("PLAIN LOGIN").setUsername(smtp.username()).setPassword(smtp.password());
    } else {
      cfg.setLogin(LoginOption.DISABLED);
    }
    this.client = MailClient.create(vertx, cfg);
  }

  @Override
  public Future<Void> send(SinkDispatcher.Item item) {
    return client.sendMail((MailMessage) item.body()).<Void>mapEmpty().recover(t -> Future.failedFuture(safeReason(t)));
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  private String safeReason(Throwable t) {
    String msg = t.getMessage() == null ? "" : t.getMessage();
    if (smtp.password() != null && !smtp.password().isEmpty()) {
      msg = msg.replace(smtp.password(), "****");
    }
    if (smtp.username() != null) {
      msg = msg.replace(smtp.username(), "****");
    }
    return t.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
  }
}
