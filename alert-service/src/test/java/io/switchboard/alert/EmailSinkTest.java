package io.switchboard.alert;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.common.alert.AlertEvent;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The email sink against a real SMTP server in this JVM (GreenMail on 127.0.0.1): one mail per transition with its
 * plain-text and HTML parts, a retry after the server was down, a refused login retried and counted, and the password
 * in no log line.
 */
class EmailSinkTest {
  private static final String PASSWORD = "s3cret-smtp-Pa55";
  private static final long T0 = 1_700_000_000_000L;
  private final List<ILoggingEvent> logs = new ArrayList<>();
  private Vertx vertx;
  private GreenMail mail;
  private int port;
  private ListAppender<ILoggingEvent> appender;
  private SimpleMeterRegistry registry;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    port = TestNodes.freePort();
    mail = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    registry = new SimpleMeterRegistry();
    appender = new ListAppender<>() {
      @Override
      protected void append(ILoggingEvent e) {
        synchronized (logs) {
          logs.add(e);
        }
      }
    };
    appender.start();
    root().addAppender(appender);
  }

  @AfterEach
  void tearDown() {
    root().detachAppender(appender);
    mail.stop();
    vertx.close();
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private SinkConfig sink(String password) {
    return sink(password, "none");
  }

  private SinkConfig sink(String password, String tls) {
    JsonObject j = new JsonObject().put("type", "email").put("name", "ops-mail").put("host", "127.0.0.1").put("port", port)
        .put("tls", tls).put("trustAll", !tls.equals("none")).put("username", "alerts").put("password", password).put("from", "switchboard@example.com")
        .put("to", new JsonArray().add("oncall@example.com")).put("backoffInitial", "100ms").put("backoffMax", "400ms")
        .put("maxAttempts", 100);
    return SinkConfig.parse(new JsonArray().add(j), "https://dash.example.com/").get(0);
  }

  private static AlertEvent event(String state, Long endsAt) {
    String fp = AlertEvent.fingerprint("MailRule", Map.of("node", "hub-1"));
    return new AlertEvent(AlertEvent.idOf(fp, T0, state), fp, "MailRule", "critical", state, 0.25, 0.05,
        Map.of("node", "hub-1", "team", "platform"), "error rate 0.25", "too many errors", T0, endsAt, T0);
  }

  private SinkDispatcher dispatcher(SinkConfig s) {
    return new SinkDispatcher(vertx, new MailSinkTransport(vertx, s), s, registry, item -> { });
  }

  private void send(SinkDispatcher d, AlertEvent e) {
    vertx.runOnContext(v -> d.enqueue(new SinkDispatcher.Item(List.of(), e.id(), SinkPayloads.body(d.sink(), e))));
  }

  private double count(String name, String outcome) {
    var search = registry.find(name).tag("sink", "email");
    if (outcome != null) {
      search = search.tag("outcome", outcome);
    }
    return search.counter() == null ? 0 : search.counter().count();
  }

  @Test
  void oneMailPerTransitionWithTextHtmlLabelsValueRuleAndTheDashboardLink() throws Exception {
    mail.start();
    mail.setUser("oncall@example.com", "alerts", PASSWORD);
    SinkDispatcher d = dispatcher(sink(PASSWORD));
    send(d, event("firing", null));
    send(d, event("resolved", T0 + 60_000));
    eventually(20_000, () -> mail.getReceivedMessages().length == 2, () -> "mails: " + mail.getReceivedMessages().length);
    MimeMessage[] got = mail.getReceivedMessages();
    assertThat(got[0].getSubject()).isEqualTo("[FIRING] [critical] MailRule: error rate 0.25");
    assertThat(got[1].getSubject()).startsWith("[RESOLVED] [critical] MailRule");
    assertThat(got[0].getFrom()[0].toString()).isEqualTo("switchboard@example.com");
    assertThat(got[0].getAllRecipients()[0].toString()).isEqualTo("oncall@example.com");
    String text = part(got[0], "text/plain");
    String html = part(got[0], "text/html");
    assertThat(text).contains("rule: MailRule", "value: 0.25", "threshold: 0.05", "node=hub-1", "team=platform",
        "Dashboard: https://dash.example.com/");
    assertThat(html).contains("<td>MailRule</td>", "<td>0.25</td>", "node=hub-1, team=platform",
        "<a href=\"https://dash.example.com/\">");
    assertThat(got[0].getHeader("X-Switchboard-Alert-Id")[0]).isEqualTo(event("firing", null).id());
    assertThat(part(got[1], "text/plain")).contains("ended: ");
    eventually(5_000, () -> count("switchboard.alert.notifications", "delivered") == 2, () -> "delivered not counted");
    assertThat(mail.getReceivedMessages()).hasSize(2);
  }

  @Test
  void aServerThatIsDownIsRetriedAndTheMailArrivesOnceItIsUp() {
    SinkDispatcher d = dispatcher(sink(PASSWORD));
    send(d, event("firing", null));
    eventually(20_000, () -> count("switchboard.alert.notification.attempt.errors", null) >= 2,
        () -> "no failed attempt counted while the server was down");
    mail.start();
    mail.setUser("oncall@example.com", "alerts", PASSWORD);
    eventually(20_000, () -> mail.getReceivedMessages().length == 1, () -> "the retried mail did not arrive");
    eventually(5_000, () -> count("switchboard.alert.notifications", "delivered") == 1, () -> "delivered not counted");
    assertThat(count("switchboard.alert.notifications", "failed")).isZero();
    assertNoLogLineHas(PASSWORD);
  }

  @Test
  void aRefusedLoginIsRetriedCountedAndNeitherPasswordIsLogged() {
    mail.start();
    mail.setUser("oncall@example.com", "alerts", PASSWORD);
    String wrong = "wrong-Pa55-" + System.nanoTime();
    SinkDispatcher d = dispatcher(sink(wrong));
    send(d, event("firing", null));
    eventually(20_000, () -> count("switchboard.alert.notification.attempt.errors", null) >= 2,
        () -> "a refused login was not counted as a failed attempt");
    assertThat(mail.getReceivedMessages()).isEmpty();
    assertThat(logLines()).anyMatch(l -> l.contains("alert sink ops-mail (email): attempt"));
    assertNoLogLineHas(wrong);
    assertNoLogLineHas(PASSWORD);
  }

  @Test
  void smtpsCarriesTheMailOverTls() {
    mail.stop();
    mail = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtps"));
    mail.start();
    mail.setUser("oncall@example.com", "alerts", PASSWORD);
    SinkDispatcher d = dispatcher(sink(PASSWORD, "smtps"));
    send(d, event("firing", null));
    eventually(20_000, () -> mail.getReceivedMessages().length == 1, () -> "no mail over SMTPS; logs: " + logLines());
  }

  private void assertNoLogLineHas(String secret) {
    assertThat(logLines()).isNotEmpty().noneMatch(l -> l.contains(secret));
  }

  private List<String> logLines() {
    synchronized (logs) {
      return logs.stream().map(e -> e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
    }
  }

  private static String part(MimeMessage m, String type) throws Exception {
    Object content = m.getContent();
    if (content instanceof MimeMultipart mp) {
      for (int i = 0; i < mp.getCount(); i++) {
        if (mp.getBodyPart(i).isMimeType(type)) {
          return String.valueOf(mp.getBodyPart(i).getContent());
        }
      }
    }
    throw new AssertionError("no " + type + " part in " + GreenMailUtil.getWholeMessage(m));
  }
}
