package io.switchboard.alert;

import io.switchboard.alert.AlertState.Phase;
import io.switchboard.common.alert.AlertEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The alert state machine over all rules: per (rule, labels) inactive → pending → firing → resolved (back to
 * inactive), with {@code for}, {@code keepFiringFor}, a clear threshold, a minimum volume and a recent-volume
 * precondition. Pure and single-threaded: the caller passes the stats and the time, and persists what changed.
 */
public final class AlertEngine {
  /** lastQualifiedAt is only moved forward in steps of this size, so the state is not rewritten every second. */
  static final long QUALIFIED_STEP_MS = 5_000;

  private List<Rule> rules;
  private final Map<String, Rule> byName = new LinkedHashMap<>();
  private final Map<String, AlertState> states = new LinkedHashMap<>();

  public AlertEngine(List<Rule> rules) {
    replaceRules(rules);
  }

  /**
   * Evaluates these rules from now on (a reload). The state of each series is kept: a rule whose expression or
   * threshold changed continues its episodes (same name and labels, same fingerprint); the series of a rule that is
   * gone resolve at the next evaluation with reason {@link AlertEvent#RULE_REMOVED}.
   */
  public void replaceRules(List<Rule> next) {
    this.rules = List.copyOf(next);
    byName.clear();
    next.forEach(r -> byName.put(r.name(), r));
  }

  public record Transition(AlertEvent event, boolean notified) {}

  /**
   * @param changed states that are new or differ from before (to persist)
   * @param removed fingerprints whose state is gone (inactive, nothing to remember)
   */
  public record Result(List<Transition> transitions, Map<String, AlertState> changed, Set<String> removed) {
    public boolean isEmpty() {
      return transitions.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }
  }

  public List<Rule> rules() {
    return rules;
  }

  public Rule rule(String name) {
    return byName.get(name);
  }

  /**
   * Replaces the in-memory state with the persisted one (a new leader). States of rules this engine does not have
   * are kept, so the next evaluation resolves them as removed.
   */
  public void restore(Collection<AlertState> persisted) {
    states.clear();
    for (AlertState s : persisted) {
      states.put(s.fingerprint(), s);
    }
  }

  public Map<String, AlertState> states() {
    return Map.copyOf(states);
  }

  /**
   * Evaluates every rule once.
   *
   * @param stats ClusterStats JSON
   * @param now evaluation time, epoch ms
   * @param silenced whether an alert with these labels (alertname and severity included) is silenced now
   */
  public Result evaluate(JsonObject stats, long now, Predicate<Map<String, String>> silenced) {
    List<Transition> transitions = new ArrayList<>();
    Map<String, AlertState> changed = new LinkedHashMap<>();
    Set<String> removed = new HashSet<>();
    resolveRemovedRules(now, transitions, removed);
    for (Rule rule : rules) {
      Set<String> seen = new HashSet<>();
      for (Instance in : instances(rule, stats, now)) {
        String fp = AlertEvent.fingerprint(rule.name(), in.labels);
        seen.add(fp);
        step(rule, fp, in.labels, in.resolver, now, silenced, transitions, changed, removed);
      }
      // series that no longer have data (a node left perNode, a down node came back): no data is not a breach
      for (AlertState s : List.copyOf(states.values())) {
        if (s.rule().equals(rule.name()) && !seen.contains(s.fingerprint())) {
          step(rule, s.fingerprint(), s.labels(), f -> null, now, silenced, transitions, changed, removed);
        }
      }
    }
    return new Result(transitions, changed, removed);
  }

  /** Series of rules no longer configured: a firing one resolves once, with reason "rule removed"; the rest go. */
  private void resolveRemovedRules(long now, List<Transition> out, Set<String> removed) {
    for (AlertState s : List.copyOf(states.values())) {
      if (byName.containsKey(s.rule())) {
        continue;
      }
      states.remove(s.fingerprint());
      removed.add(s.fingerprint());
      AlertEvent f = s.firing();
      if (s.phase() == Phase.FIRING && f != null) {
        out.add(new Transition(new AlertEvent(AlertEvent.idOf(s.fingerprint(), f.startsAt(), AlertEvent.RESOLVED),
            s.fingerprint(), f.rule(), f.severity(), AlertEvent.RESOLVED, null, f.threshold(), f.labels(), f.summary(),
            f.description(), f.startsAt(), now, now, AlertEvent.RULE_REMOVED), s.notified()));
      }
    }
  }

  private void step(Rule rule, String fp, Map<String, String> labels, Function<String, Double> resolver, long now,
      Predicate<Map<String, String>> silenced, List<Transition> out, Map<String, AlertState> changed, Set<String> removed) {
    AlertState before = states.get(fp);
    AlertState s = before != null ? before : AlertState.inactive(fp, rule.name(), labels);
    Double value = rule.expr().eval(resolver);
    boolean volumeOk = true;
    if (rule.minVolume() != null) {
      Double vol = resolver.apply(rule.minVolume().field());
      volumeOk = vol != null && vol >= rule.minVolume().min();
    }
    boolean gateOk = true;
    if (rule.wasAtLeast() != null) {
      Double rv = resolver.apply(rule.wasAtLeast().field());
      boolean qualifiesNow = rv != null && rv >= rule.wasAtLeast().min();
      if (qualifiesNow && now - s.lastQualifiedAt() >= QUALIFIED_STEP_MS) {
        s = s.withLastQualifiedAt(now);
      }
      gateOk = qualifiesNow || (s.lastQualifiedAt() > 0 && now - s.lastQualifiedAt() <= rule.wasAtLeast().withinMs());
    }
    boolean breach = value != null && volumeOk && rule.breaches(value);
    boolean holds = value != null && volumeOk && rule.holds(value);
    switch (s.phase()) {
      case INACTIVE, PENDING -> {
        if (!(breach && gateOk)) {
          s = s.withPhase(Phase.INACTIVE, 0, 0, false, null);
        } else {
          long since = s.phase() == Phase.PENDING ? s.pendingSince() : now;
          if (now - since >= rule.forMs()) {
            AlertEvent e = event(rule, fp, labels, AlertEvent.FIRING, value, now, null, now);
            boolean notify = !silenced.test(matchLabels(rule, labels));
            s = s.withPhase(Phase.FIRING, 0, 0, notify, e);
            out.add(new Transition(e, notify));
          } else {
            s = s.withPhase(Phase.PENDING, since, 0, false, null);
          }
        }
      }
      case FIRING -> {
        if (holds) {
          if (s.clearingSince() != 0) {
            s = s.withPhase(Phase.FIRING, 0, 0, s.notified(), s.firing());
          }
        } else {
          long clearing = s.clearingSince() != 0 ? s.clearingSince() : now;
          if (now - clearing >= rule.keepFiringForMs()) {
            AlertEvent e = event(rule, fp, labels, AlertEvent.RESOLVED, value, s.firing().startsAt(), now, now);
            out.add(new Transition(e, s.notified()));
            s = s.withPhase(Phase.INACTIVE, 0, 0, false, null);
          } else if (s.clearingSince() == 0) {
            s = s.withPhase(Phase.FIRING, 0, clearing, s.notified(), s.firing());
          }
        }
      }
    }
    boolean keep = s.phase() != Phase.INACTIVE
        || (rule.wasAtLeast() != null && s.lastQualifiedAt() > 0 && now - s.lastQualifiedAt() <= rule.wasAtLeast().withinMs());
    if (keep) {
      states.put(fp, s);
      if (!s.equals(before)) {
        changed.put(fp, s);
      }
    } else if (before != null) {
      states.remove(fp);
      removed.add(fp);
    }
  }

  /** Labels a silence matcher sees: the alert's labels plus alertname and severity. */
  public static Map<String, String> matchLabels(Rule rule, Map<String, String> labels) {
    Map<String, String> m = new LinkedHashMap<>(labels);
    m.put("alertname", rule.name());
    m.put("severity", rule.severity());
    return m;
  }

  private static AlertEvent event(Rule rule, String fp, Map<String, String> labels, String state, Double value,
      long startsAt, Long endsAt, long now) {
    return new AlertEvent(AlertEvent.idOf(fp, startsAt, state), fp, rule.name(), rule.severity(), state, value,
        rule.threshold(), labels, Templates.render(rule.summary(), rule, value, labels),
        Templates.render(rule.description(), rule, value, labels), startsAt, endsAt, now);
  }

  private record Instance(Map<String, String> labels, Function<String, Double> resolver) {}

  private static List<Instance> instances(Rule rule, JsonObject stats, long now) {
    Function<String, Double> cluster = path -> number(stats, path);
    List<Instance> out = new ArrayList<>();
    switch (rule.scope()) {
      case CLUSTER -> out.add(new Instance(rule.labels(), cluster));
      case NODE -> {
        for (JsonObject entry : entries(stats, "perNode")) {
          if (entry.getBoolean("stale", false) || entry.getString("name") == null) {
            continue; // a stale node's values are old; SwitchboardNodeDown covers it
          }
          out.add(new Instance(withNode(rule, entry), f -> f.startsWith("perNode.") ? number(entry, f.substring(8)) : cluster.apply(f)));
        }
      }
      case DOWN_NODE -> {
        long at = stats.getLong("timestamp", now);
        for (JsonObject entry : entries(stats, "downNodes")) {
          if (entry.getString("name") == null) {
            continue;
          }
          out.add(new Instance(withNode(rule, entry), f -> {
            if (f.equals("downNodes.downForMs")) {
              Long since = entry.getLong("since");
              return since == null ? null : (double) Math.max(0, at - since);
            }
            return f.startsWith("downNodes.") ? number(entry, f.substring(10)) : cluster.apply(f);
          }));
        }
      }
    }
    return out;
  }

  private static Map<String, String> withNode(Rule rule, JsonObject entry) {
    Map<String, String> l = new LinkedHashMap<>(rule.labels());
    l.put("node", entry.getString("name"));
    return l;
  }

  private static List<JsonObject> entries(JsonObject stats, String key) {
    List<JsonObject> out = new ArrayList<>();
    Object v = stats.getValue(key);
    if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof JsonObject j) {
          out.add(j);
        }
      }
    }
    return out;
  }

  /** A number at a dotted path, or null when absent or not a number. */
  static Double number(JsonObject o, String path) {
    Object cur = o;
    for (String part : path.split("\\.")) {
      if (!(cur instanceof JsonObject j)) {
        return null;
      }
      cur = j.getValue(part);
    }
    if (cur instanceof Number n) {
      double d = n.doubleValue();
      return Double.isNaN(d) ? null : d;
    }
    if (cur instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    return null;
  }
}
