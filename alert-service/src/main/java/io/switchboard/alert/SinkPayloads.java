package io.switchboard.alert;

import io.switchboard.common.alert.AlertEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/** The request bodies each sink type expects (an email sink's mail comes from MailPayloads). Pure. */
public final class SinkPayloads {
  private SinkPayloads() {}

  /** The body of one notification for a sink. */
  public static Object body(SinkConfig sink, AlertEvent e) {
    return switch (sink.type()) {
      case WEBHOOK -> e.toJson();
      case SLACK -> slack(e);
      case PAGERDUTY -> pagerDuty(sink, e);
      case ALERTMANAGER -> new JsonArray().add(alertmanager(e));
      case EMAIL -> MailPayloads.message(sink, List.of(e));
    };
  }

  /** Whether several transitions of one rule can go to this sink as one notification (not PagerDuty: one incident each). */
  public static boolean groups(SinkConfig sink) {
    return sink.type() != SinkConfig.Type.PAGERDUTY;
  }

  /**
   * The body of one notification for transitions of one rule in one state (alert.groupWait): webhook
   * {@code {rule, state, alerts:[AlertEvent]}}, Slack one line each, Alertmanager one array, email one mail.
   */
  public static Object group(SinkConfig sink, List<AlertEvent> events) {
    if (events.size() == 1) {
      return body(sink, events.get(0));
    }
    AlertEvent first = events.get(0);
    return switch (sink.type()) {
      case WEBHOOK -> new JsonObject().put("rule", first.rule()).put("state", first.state())
          .put("alerts", new JsonArray(events.stream().map(e -> (Object) e.toJson()).toList()));
      case SLACK -> new JsonObject().put("text", String.join("\n", events.stream().map(e -> slack(e).getString("text")).toList()));
      case ALERTMANAGER -> {
        JsonArray a = new JsonArray();
        events.forEach(e -> a.add(alertmanager(e)));
        yield a;
      }
      case EMAIL -> MailPayloads.message(sink, events);
      case PAGERDUTY -> throw new IllegalArgumentException("PagerDuty notifications are not grouped");
    };
  }

  public static JsonObject slack(AlertEvent e) {
    StringBuilder sb = new StringBuilder();
    sb.append(e.firing() ? ":rotating_light: *FIRING*" : ":white_check_mark: *RESOLVED*")
        .append(" [").append(e.severity()).append("] ").append(e.rule()).append(": ").append(e.summary());
    if (!e.labels().isEmpty()) {
      sb.append(" (");
      new TreeMap<>(e.labels()).forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
      sb.setLength(sb.length() - 1);
      sb.append(')');
    }
    if (e.description() != null && !e.description().isEmpty()) {
      sb.append('\n').append(e.description());
    }
    if (e.reason() != null) {
      sb.append(" (").append(e.reason()).append(')');
    }
    return new JsonObject().put("text", sb.toString());
  }

  /**
   * PagerDuty Events API v2. The dedup_key is the alert episode (fingerprint and startsAt), the same for its
   * trigger and its resolve, so a repeat is dropped by PagerDuty and the resolve closes the right incident.
   */
  public static JsonObject pagerDuty(SinkConfig sink, AlertEvent e) {
    JsonObject body = new JsonObject()
        .put("routing_key", sink.routingKey())
        .put("event_action", e.firing() ? "trigger" : "resolve")
        .put("dedup_key", episodeKey(e));
    if (e.firing()) {
      JsonObject details = new JsonObject().put("rule", e.rule()).put("value", e.value()).put("threshold", e.threshold())
          .put("description", e.description()).put("id", e.id());
      new TreeMap<>(e.labels()).forEach((k, v) -> details.put("label_" + k, v));
      body.put("payload", new JsonObject()
          .put("summary", e.summary().isEmpty() ? e.rule() : e.summary())
          .put("severity", e.severity())
          .put("source", e.labels().getOrDefault("node", sink.source()))
          .put("timestamp", Instant.ofEpochMilli(e.startsAt()).toString())
          .put("component", "switchboard")
          .put("class", e.rule())
          .put("custom_details", details));
    }
    return body;
  }

  public static String episodeKey(AlertEvent e) {
    return e.fingerprint() + "-" + e.startsAt();
  }

  /**
   * One alert for Alertmanager's API v2. While firing, endsAt is left out: Alertmanager then keeps the alert for its
   * resolve_timeout, and our re-send (every resendInterval) keeps it active; a resolution carries endsAt.
   */
  public static JsonObject alertmanager(AlertEvent e) {
    JsonObject labels = new JsonObject();
    new TreeMap<>(e.labels()).forEach(labels::put);
    labels.put("alertname", e.rule()).put("severity", e.severity());
    JsonObject a = new JsonObject()
        .put("labels", labels)
        .put("annotations", new JsonObject().put("summary", e.summary()).put("description", e.description())
            .put("value", Templates.format(e.value())))
        .put("startsAt", Instant.ofEpochMilli(e.startsAt()).toString());
    if (!e.firing() && e.endsAt() != null) {
      a.put("endsAt", Instant.ofEpochMilli(e.endsAt()).toString());
    }
    if (e.reason() != null) {
      a.getJsonObject("annotations").put("reason", e.reason());
    }
    return a;
  }

  /** The periodic re-send of every firing alert to Alertmanager. */
  public static JsonArray alertmanagerBatch(Collection<AlertEvent> firing) {
    JsonArray a = new JsonArray();
    firing.forEach(e -> a.add(alertmanager(e)));
    return a;
  }
}
