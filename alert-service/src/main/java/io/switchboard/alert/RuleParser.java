package io.switchboard.alert;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.stats.ClusterStats;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Parses and validates {@code alert.rules}. Any problem is a {@link ConfigException} on key {@code alert.rules}
 * whose message names the rule (or its position when it has no name) and the field, so start-up stops with a
 * message an operator can act on. Pure.
 */
public final class RuleParser {
  private RuleParser() {}

  /** Fields of ClusterStats a rule may read: every numeric field it publishes (docs/alerts.md lists them). */
  static final Set<String> CLUSTER_FIELDS = Set.copyOf(ClusterStats.numericPaths());
  /** Fields of a perNode entry, read as {@code perNode.<field>}. */
  static final Set<String> NODE_FIELDS = Set.copyOf(ClusterStats.perNodeNumericPaths());
  /** downForMs is derived: ClusterStats.timestamp - since. */
  static final Set<String> DOWN_NODE_FIELDS = Set.of("since", "downForMs");

  private static final Set<String> RULE_KEYS = Set.of("name", "expr", "op", "threshold", "clearThreshold", "minVolume",
      "wasAtLeast", "for", "keepFiringFor", "severity", "labels", "summary", "description");
  private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}]*?)\\s*}}");
  private static final Set<String> RESERVED_LABELS = Set.of("alertname", "severity", "node");

  /** The rules of this configuration: {@code alert.rules}, or the shipped defaults when it is null. */
  public static List<Rule> fromConfig(SwitchboardConfig cfg) {
    Object raw = cfg.getJson(ConfigKeys.ALERT_RULES);
    return raw == null ? defaults() : parse(raw);
  }

  /** The shipped default rules (resource default-rules.yaml). */
  public static List<Rule> defaults() {
    return parse(defaultRulesJson());
  }

  public static JsonArray defaultRulesJson() {
    try (InputStream in = RuleParser.class.getResourceAsStream("default-rules.yaml")) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return new JsonArray(Json.encode(doc));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the shipped default alert rules", e);
    }
  }

  public static List<Rule> parse(Object raw) {
    if (!(raw instanceof JsonArray array)) {
      throw fail("alert.rules must be a list of rules, not " + (raw instanceof JsonObject ? "a map" : "'" + raw + "'"));
    }
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      Object o = array.getValue(i);
      String where = "alert rule #" + (i + 1);
      if (!(o instanceof JsonObject j)) {
        throw fail(where + " must be a map with name, expr, op, threshold");
      }
      Object n = j.getValue("name");
      if (n instanceof String s && !s.isBlank()) {
        where = "alert rule '" + s + "'";
      }
      try {
        Rule r = parseOne(j);
        if (!names.add(r.name())) {
          throw new IllegalArgumentException("the name is used by an earlier rule too");
        }
        rules.add(r);
      } catch (IllegalArgumentException | ClassCastException e) {
        throw fail(where + ": " + e.getMessage());
      }
    }
    return List.copyOf(rules);
  }

  private static ConfigException fail(String msg) {
    return new ConfigException(ConfigKeys.ALERT_RULES, "invalid configuration key 'alert.rules': " + msg);
  }

  static Rule parseOne(JsonObject j) {
    for (String k : j.fieldNames()) {
      if (!RULE_KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown field '" + k + "' (allowed: " + new TreeSet<>(RULE_KEYS) + ")");
      }
    }
    String name = string(j, "name", true);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be letters, digits and _ and not start with a digit");
    }
    Expr expr;
    try {
      expr = Expr.parse(string(j, "expr", true));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expr: " + e.getMessage());
    }
    Rule.Scope scope = scopeOf(expr.fields(), "expr");
    String opText = string(j, "op", true);
    Rule.Op op = Rule.Op.of(opText.trim());
    if (op == null) {
      throw new IllegalArgumentException("op '" + opText + "' is not one of >, >=, <, <=, ==, !=");
    }
    double threshold = number(j, "threshold", true);
    Double clear = j.containsKey("clearThreshold") && j.getValue("clearThreshold") != null ? number(j, "clearThreshold", true) : null;
    if (clear != null) {
      switch (op) {
        case GT, GE -> {
          if (clear > threshold) {
            throw new IllegalArgumentException("clearThreshold " + clear + " must not be above threshold " + threshold + " for op " + op.symbol);
          }
        }
        case LT, LE -> {
          if (clear < threshold) {
            throw new IllegalArgumentException("clearThreshold " + clear + " must not be below threshold " + threshold + " for op " + op.symbol);
          }
        }
        default -> throw new IllegalArgumentException("clearThreshold needs op >, >=, < or <=, not " + op.symbol);
      }
    }
    Rule.Volume volume = null;
    if (j.getValue("minVolume") != null) {
      JsonObject v = object(j, "minVolume");
      onlyKeys(v, "minVolume", Set.of("field", "min"));
      String field = string(v, "field", "minVolume.field", true);
      checkField(field, scope, "minVolume.field");
      volume = new Rule.Volume(field, number(v, "min", "minVolume.min"));
    }
    Rule.Recent recent = null;
    if (j.getValue("wasAtLeast") != null) {
      JsonObject v = object(j, "wasAtLeast");
      onlyKeys(v, "wasAtLeast", Set.of("field", "min", "within"));
      String field = string(v, "field", "wasAtLeast.field", true);
      checkField(field, scope, "wasAtLeast.field");
      long within = duration(v, "within", "wasAtLeast.within", -1);
      if (within <= 0) {
        throw new IllegalArgumentException("wasAtLeast.within must be a positive duration such as 5m");
      }
      recent = new Rule.Recent(field, number(v, "min", "wasAtLeast.min"), within);
    }
    long forMs = duration(j, "for", 0);
    long keep = duration(j, "keepFiringFor", 0);
    String severity = j.containsKey("severity") ? string(j, "severity", true) : "warning";
    if (!SEVERITIES.contains(severity)) {
      throw new IllegalArgumentException("severity '" + severity + "' is not one of info, warning, critical");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (j.getValue("labels") != null) {
      for (Map.Entry<String, Object> e : object(j, "labels")) {
        if (!NAME.matcher(e.getKey()).matches()) {
          throw new IllegalArgumentException("label name '" + e.getKey() + "' must be letters, digits and _");
        }
        if (RESERVED_LABELS.contains(e.getKey())) {
          throw new IllegalArgumentException("label '" + e.getKey() + "' is reserved (set by Switchboard)");
        }
        if (e.getValue() == null || e.getValue() instanceof JsonObject || e.getValue() instanceof JsonArray) {
          throw new IllegalArgumentException("label '" + e.getKey() + "' must have a plain value");
        }
        labels.put(e.getKey(), String.valueOf(e.getValue()));
      }
    }
    Set<String> knownLabels = new HashSet<>(labels.keySet());
    if (scope != Rule.Scope.CLUSTER) {
      knownLabels.add("node");
    }
    String summary = j.containsKey("summary") ? string(j, "summary", false) : name + " is {{value}} (threshold {{threshold}})";
    String description = j.containsKey("description") ? string(j, "description", false) : "";
    checkTemplate(summary, "summary", knownLabels);
    checkTemplate(description, "description", knownLabels);
    return new Rule(name, expr, scope, op, threshold, clear, volume, recent, forMs, keep, severity, labels, summary, description);
  }

  private static Rule.Scope scopeOf(Set<String> fields, String what) {
    Rule.Scope scope = Rule.Scope.CLUSTER;
    for (String f : fields) {
      Rule.Scope s = f.startsWith("perNode.") ? Rule.Scope.NODE : f.startsWith("downNodes.") ? Rule.Scope.DOWN_NODE : Rule.Scope.CLUSTER;
      if (s != Rule.Scope.CLUSTER) {
        if (scope != Rule.Scope.CLUSTER && scope != s) {
          throw new IllegalArgumentException(what + " mixes perNode and downNodes fields");
        }
        scope = s;
      }
    }
    for (String f : fields) {
      checkField(f, scope, what);
    }
    return scope;
  }

  private static void checkField(String f, Rule.Scope scope, String what) {
    if (f.startsWith("perNode.") || f.startsWith("downNodes.")) {
      Rule.Scope s = f.startsWith("perNode.") ? Rule.Scope.NODE : Rule.Scope.DOWN_NODE;
      if (s != scope) {
        throw new IllegalArgumentException(what + ": field '" + f + "' does not match the rule's scope " + scope.json);
      }
      Set<String> allowed = s == Rule.Scope.NODE ? NODE_FIELDS : DOWN_NODE_FIELDS;
      String rest = f.substring(s.prefix.length());
      if (!allowed.contains(rest)) {
        throw new IllegalArgumentException(what + ": unknown field '" + f + "' (" + s.prefix + "* fields: " + new TreeSet<>(allowed) + ")");
      }
    } else if (!CLUSTER_FIELDS.contains(f)) {
      throw new IllegalArgumentException(what + ": unknown field '" + f + "' (see docs/alerts.md for the fields of ClusterStats)");
    }
  }

  private static void checkTemplate(String t, String what, Set<String> labels) {
    Matcher m = PLACEHOLDER.matcher(t);
    while (m.find()) {
      String p = m.group(1);
      if (p.equals("value") || p.equals("threshold") || p.equals("rule") || p.equals("severity")) {
        continue;
      }
      if (p.startsWith("labels.") && labels.contains(p.substring(7))) {
        continue;
      }
      throw new IllegalArgumentException(what + ": unknown placeholder {{" + p + "}} (use value, threshold, rule, severity or labels.<name> of "
          + new TreeSet<>(labels) + ")");
    }
  }

  private static void onlyKeys(JsonObject o, String what, Set<String> keys) {
    for (String k : o.fieldNames()) {
      if (!keys.contains(k)) {
        throw new IllegalArgumentException(what + ": unknown field '" + k + "' (allowed: " + new TreeSet<>(keys) + ")");
      }
    }
  }

  private static String string(JsonObject j, String key, boolean required) {
    return string(j, key, key, required);
  }

  /** The string at {@code key}; {@code label} is how a refusal names it (e.g. minVolume.field). */
  private static String string(JsonObject j, String key, String label, boolean required) {
    Object v = j.getValue(key);
    if (v == null) {
      if (required) {
        throw new IllegalArgumentException(label + " is missing");
      }
      return "";
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(label + " must be a string, not " + v);
    }
    if (required && s.isBlank()) {
      throw new IllegalArgumentException(label + " is empty");
    }
    return s;
  }

  private static double number(JsonObject j, String key, boolean required) {
    return number(j, key, key);
  }

  /** The number at {@code key}; {@code label} is how a refusal names it (e.g. minVolume.min). */
  private static double number(JsonObject j, String key, String label) {
    Object v = j.getValue(key);
    if (v == null) {
      throw new IllegalArgumentException(label + " is missing");
    }
    double d;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else {
      try {
        d = Double.parseDouble(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(label + " must be a number (fractions 0-1 for rates, ms for latency), not '" + v + "'");
      }
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException(label + " must be a finite number");
    }
    return d;
  }

  private static JsonObject object(JsonObject j, String key) {
    Object v = j.getValue(key);
    if (!(v instanceof JsonObject o)) {
      throw new IllegalArgumentException(key + " must be a map, not '" + v + "'");
    }
    return o;
  }

  /** A duration field of a JSON config object (rules, sinks), in ms; {@code def} when absent. */
  static long duration(JsonObject j, String key, long def) {
    return duration(j, key, key, def);
  }

  private static long duration(JsonObject j, String key, String label, long def) {
    Object v = j.getValue(key);
    if (v == null) {
      return def;
    }
    try {
      return SwitchboardConfig.parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label + ": '" + v + "' " + e.getMessage());
    }
  }
}
