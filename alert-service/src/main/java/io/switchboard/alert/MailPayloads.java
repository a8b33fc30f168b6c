package io.switchboard.alert;

import io.switchboard.common.alert.AlertEvent;
import io.vertx.ext.mail.MailMessage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mail of an email sink for one transition or a group of one rule's transitions (alert.groupWait): a subject
 * with state, severity and rule; a plain-text and an HTML part with each alert's labels, value, threshold, rule,
 * summary, times, the reason of a resolution, and a link to the dashboard ({@code alert.dashboardUrl}). Pure.
 */
final class MailPayloads {
  private MailPayloads() {}

  static MailMessage message(SinkConfig sink, List<AlertEvent> events) {
    SinkConfig.Smtp smtp = sink.smtp();
    AlertEvent first = events.get(0);
    String state = first.firing() ? "FIRING" : "RESOLVED";
    String subject = "[" + state + (events.size() > 1 ? ":" + events.size() : "") + "] [" + first.severity() + "] "
        + first.rule() + (events.size() == 1 && !first.summary().isEmpty() ? ": " + first.summary() : "");
    StringBuilder text = new StringBuilder();
    StringBuilder html = new StringBuilder("<html><body>\n");
    for (AlertEvent e : events) {
      text.append(e.firing() ? "FIRING" : "RESOLVED").append(": ").append(e.rule()).append(" [").append(e.severity()).append("]\n");
      html.append("<h2>").append(e.firing() ? "FIRING" : "RESOLVED").append(": ").append(esc(e.rule()))
          .append(" [").append(esc(e.severity())).append("]</h2>\n<table>\n");
      for (Map.Entry<String, String> row : rows(e).entrySet()) {
        text.append("  ").append(row.getKey()).append(": ").append(row.getValue()).append('\n');
        html.append("<tr><th align=\"left\">").append(esc(row.getKey())).append("</th><td>").append(esc(row.getValue()))
            .append("</td></tr>\n");
      }
      text.append('\n');
      html.append("</table>\n");
    }
    if (!smtp.dashboardUrl().isEmpty()) {
      text.append("Dashboard: ").append(smtp.dashboardUrl()).append('\n');
      html.append("<p><a href=\"").append(esc(smtp.dashboardUrl())).append("\">Open the dashboard</a></p>\n");
    }
    html.append("</body></html>\n");
    MailMessage m = new MailMessage().setFrom(smtp.from()).setTo(smtp.to()).setSubject(subject)
        .setText(text.toString()).setHtml(html.toString());
    m.addHeader("X-Switchboard-Alert-Id", String.join(",", events.stream().map(AlertEvent::id).toList()));
    return m;
  }

  private static Map<String, String> rows(AlertEvent e) {
    Map<String, String> r = new LinkedHashMap<>();
    r.put("rule", e.rule());
    r.put("value", Templates.format(e.value()));
    r.put("threshold", Templates.format(e.threshold()));
    StringBuilder labels = new StringBuilder();
    new TreeMap<>(e.labels()).forEach((k, v) -> labels.append(labels.length() == 0 ? "" : ", ").append(k).append('=').append(v));
    r.put("labels", labels.length() == 0 ? "(none)" : labels.toString());
    if (!e.summary().isEmpty()) {
      r.put("summary", e.summary());
    }
    if (!e.description().isEmpty()) {
      r.put("description", e.description());
    }
    r.put("started", Instant.ofEpochMilli(e.startsAt()).toString());
    if (e.endsAt() != null) {
      r.put("ended", Instant.ofEpochMilli(e.endsAt()).toString());
    }
    if (e.reason() != null) {
      r.put("reason", e.reason());
    }
    r.put("id", e.id());
    return r;
  }

  private static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
