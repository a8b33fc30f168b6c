package io.switchboard.alert;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One notification sink from {@code alert.sinks}. URLs, routing keys, headers and SMTP passwords are secrets:
 * {@link #toString()} and every log line name a sink by {@link #name()} (e.g. {@code slack#2}), never by URL.
 *
 * @param url the HTTP sinks' address; null for an email sink
 * @param smtp the email sink's server and addresses; null for the HTTP sinks
 */
public record SinkConfig(
    int index,
    Type type,
    String name,
    String url,
    String routingKey,
    Map<String, String> headers,
    long timeoutMs,
    int maxQueue,
    int maxAttempts,
    long backoffInitialMs,
    long backoffMaxMs,
    long resendIntervalMs,
    String source,
    Smtp smtp) {

  public enum Type {
    WEBHOOK, SLACK, PAGERDUTY, ALERTMANAGER, EMAIL;

    /** The bounded metric label value. */
    public String label() {
      return name().toLowerCase();
    }
  }

  /** How an email sink secures its SMTP connection. */
  public enum Tls {
    /** Plain SMTP, upgraded with STARTTLS, which the server must offer. */
    STARTTLS,
    /** TLS from the first byte (SMTPS, usually port 465). */
    SMTPS,
    /** Plain SMTP without TLS (a relay on the same host or network only). */
    NONE
  }

  /**
   * An email sink's SMTP server and addresses.
   *
   * @param username null without authentication
   * @param password a secret: never in {@link #toString()}, logs, or error messages
   * @param trustAll accept any server certificate (a test relay with a self-signed one); off by default
   * @param dashboardUrl {@code alert.dashboardUrl}, linked from each mail; empty for none
   */
  public record Smtp(String host, int port, Tls tls, String username, String password, boolean trustAll, String from,
      List<String> to, String dashboardUrl) {
    @Override
    public String toString() {
      return host + ":" + port + " (" + tls.name().toLowerCase() + ")";
    }
  }

  /**
   * What makes this sink the same sink across a reload: its type, name and where it delivers (URL, routing key, SMTP
   * server and addresses), hashed so no secret is kept in the outbox. Not its position in the list: a reload that
   * removes or reorders sinks leaves each outbox entry with the sink it was written for, or with none.
   */
  public String identity() {
    StringBuilder b = new StringBuilder().append(type).append('\n').append(name).append('\n').append(url)
        .append('\n').append(routingKey);
    if (smtp != null) {
      b.append('\n').append(smtp.host()).append(':').append(smtp.port()).append('\n').append(smtp.from())
          .append('\n').append(smtp.to());
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static final String PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";
  private static final Set<String> KEYS = Set.of("type", "name", "url", "routingKey", "headers", "timeout", "maxQueue",
      "maxAttempts", "backoffInitial", "backoffMax", "resendInterval", "source", "host", "port", "tls", "username",
      "password", "trustAll", "from", "to");
  private static final Set<String> EMAIL_ONLY = Set.of("host", "port", "tls", "username", "password", "trustAll", "from", "to");
  private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>]+@[^@\\s<>]+");

  @Override
  public String toString() {
    return name + " (" + type.label() + ")";
  }

  /** The sinks of this configuration; a bad entry is a ConfigException naming the sink by position and type. */
  public static List<SinkConfig> fromConfig(SwitchboardConfig cfg) {
    return parse(cfg.getJson(ConfigKeys.ALERT_SINKS), cfg.getString(ConfigKeys.ALERT_DASHBOARD_URL));
  }

  public static List<SinkConfig> parse(Object raw) {
    return parse(raw, "");
  }

  /**
   * @param raw the value of {@code alert.sinks}
   * @param dashboardUrl {@code alert.dashboardUrl}, put into email sinks
   */
  public static List<SinkConfig> parse(Object raw, String dashboardUrl) {
    List<SinkConfig> out = new ArrayList<>();
    if (raw == null) {
      return out;
    }
    if (!(raw instanceof JsonArray a)) {
      throw fail("alert.sinks must be a list of sinks");
    }
    for (int i = 0; i < a.size(); i++) {
      String where = "sink #" + (i + 1);
      if (!(a.getValue(i) instanceof JsonObject j)) {
        throw fail(where + " must be a map with type and url");
      }
      if (j.getValue("type") instanceof String t) {
        where += " (" + t + ")";
      }
      try {
        out.add(parseOne(i + 1, j, dashboardUrl));
      } catch (IllegalArgumentException e) {
        throw fail(where + ": " + e.getMessage());
      }
    }
    return out;
  }

  private static ConfigException fail(String msg) {
    return new ConfigException(ConfigKeys.ALERT_SINKS, "invalid configuration key 'alert.sinks': " + msg);
  }

  private static SinkConfig parseOne(int index, JsonObject j, String dashboardUrl) {
    for (String k : j.fieldNames()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown field '" + k + "' (allowed: " + new TreeSet<>(KEYS) + ")");
      }
    }
    Object t = j.getValue("type");
    Type type;
    try {
      type = Type.valueOf(String.valueOf(t).toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("type '" + t + "' is not one of webhook, slack, pagerduty, alertmanager, email");
    }
    String name = j.getValue("name") instanceof String n && !n.isBlank() ? n : type.label() + "#" + index;
    if (type != Type.EMAIL) {
      for (String k : j.fieldNames()) {
        if (EMAIL_ONLY.contains(k)) {
          throw new IllegalArgumentException("field '" + k + "' belongs to email sinks only");
        }
      }
    }
    long timeout = RuleParser.duration(j, "timeout", 5_000);
    int maxQueue = integer(j, "maxQueue", 1000);
    int maxAttempts = integer(j, "maxAttempts", 10);
    long backoffInitial = RuleParser.duration(j, "backoffInitial", 500);
    long backoffMax = RuleParser.duration(j, "backoffMax", 60_000);
    long resend = RuleParser.duration(j, "resendInterval", 60_000);
    if (timeout <= 0 || backoffInitial <= 0 || backoffMax < backoffInitial || resend <= 0) {
      throw new IllegalArgumentException("timeout, backoffInitial, resendInterval must be positive and backoffMax >= backoffInitial");
    }
    String source = j.getValue("source") instanceof String s && !s.isBlank() ? s : "switchboard";
    if (type == Type.EMAIL) {
      for (String k : List.of("url", "routingKey", "headers")) {
        if (j.containsKey(k)) {
          throw new IllegalArgumentException("field '" + k + "' does not apply to an email sink (it takes host, port, tls, username, password, from, to)");
        }
      }
      return new SinkConfig(index, type, name, null, null, Map.of(), timeout, maxQueue, maxAttempts, backoffInitial,
          backoffMax, resend, source, smtp(j, dashboardUrl));
    }
    String url = j.getValue("url") instanceof String u ? u.trim() : null;
    if (url == null || url.isEmpty()) {
      if (type != Type.PAGERDUTY) {
        throw new IllegalArgumentException("url is missing");
      }
      url = PAGERDUTY_URL;
    }
    try {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("url is not an absolute http(s) URL (value hidden: it is a secret)");
    }
    if (type == Type.ALERTMANAGER && !url.endsWith("/api/v2/alerts")) {
      url = url.replaceAll("/+$", "") + "/api/v2/alerts";
    }
    String routingKey = j.getValue("routingKey") instanceof String r ? r : null;
    if (type == Type.PAGERDUTY && (routingKey == null || routingKey.isBlank())) {
      throw new IllegalArgumentException("routingKey is missing (the PagerDuty Events v2 integration key)");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (j.getValue("headers") != null) {
      if (!(j.getValue("headers") instanceof JsonObject h)) {
        throw new IllegalArgumentException("headers must be a map of header names to values");
      }
      h.forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return new SinkConfig(index, type, name, url, routingKey, Map.copyOf(headers), timeout, maxQueue, maxAttempts,
        backoffInitial, backoffMax, resend, source, null);
  }

  private static Smtp smtp(JsonObject j, String dashboardUrl) {
    String host = j.getValue("host") instanceof String h && !h.isBlank() ? h.trim() : null;
    if (host == null) {
      throw new IllegalArgumentException("host is missing (the SMTP server)");
    }
    Tls tls;
    Object t = j.getValue("tls", "starttls");
    try {
      tls = Tls.valueOf(String.valueOf(t).trim().toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tls '" + t + "' is not one of starttls, smtps, none");
    }
    int port = j.containsKey("port") ? integer(j, "port", 0) : tls == Tls.SMTPS ? 465 : 587;
    if (port > 65_535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, not " + port);
    }
    String username = j.getValue("username") instanceof String u && !u.isBlank() ? u : null;
    String password = j.getValue("password") == null ? null : String.valueOf(j.getValue("password"));
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException("username and password go together (authentication needs both)");
    }
    Object trust = j.getValue("trustAll", false);
    if (!(trust instanceof Boolean)) {
      throw new IllegalArgumentException("trustAll must be true or false");
    }
    String from = j.getValue("from") instanceof String f ? f.trim() : "";
    if (!ADDRESS.matcher(from).matches()) {
      throw new IllegalArgumentException("from must be one email address, not '" + from + "'");
    }
    List<String> to = new ArrayList<>();
    Object rawTo = j.getValue("to");
    if (rawTo instanceof String one) {
      to.add(one.trim());
    } else if (rawTo instanceof JsonArray many) {
      many.forEach(x -> to.add(String.valueOf(x).trim()));
    }
    if (to.isEmpty()) {
      throw new IllegalArgumentException("to is missing (one address or a list)");
    }
    for (String a : to) {
      if (!ADDRESS.matcher(a).matches()) {
        throw new IllegalArgumentException("to: '" + a + "' is not an email address");
      }
    }
    return new Smtp(host, port, tls, username, password, (Boolean) trust, from, List.copyOf(to),
        dashboardUrl == null ? "" : dashboardUrl.trim());
  }



  private static int integer(JsonObject j, String key, int def) {
    Object v = j.getValue(key);
    if (v == null) {
      return def;
    }
    try {
      int n = v instanceof Number num ? num.intValue() : Integer.parseInt(String.valueOf(v).trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a positive integer, not '" + v + "'");
    }
  }

  /** Backoff before attempt {@code attempt + 1} (attempt counts from 1): initial × 2^(attempt-1), capped. */
  public long backoffMs(int attempt) {
    long d = backoffInitialMs;
    for (int i = 1; i < attempt && d < backoffMaxMs; i++) {
      d *= 2;
    }
    return Math.min(d, backoffMaxMs);
  }
}
