package io.switchboard.alert;

import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.node.NodeContext;
import io.switchboard.common.node.SwitchboardService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Supplier;

/**
 * The alert role: evaluates rules over the cluster view and delivers alert transitions (docs/alerts.md). Rules and
 * sinks are validated before anything is deployed, so a malformed rule stops start-up with a ConfigException on
 * {@code alert.rules} naming the rule. A reload ({@link #reload()}, {@code POST /alerts/rules/reload}, SIGHUP) reads
 * the configuration again from its source and runs the same validation.
 */
public final class AlertService implements SwitchboardService {
  /** The rules and sinks of a configuration, validated. */
  public record Checked(List<Rule> rules, List<SinkConfig> sinks) {}

  private final Supplier<SwitchboardConfig> source;
  private volatile AlertVerticle verticle;

  /** Reloads read the node's own configuration again (it does not change: in-process nodes and tests). */
  public AlertService() {
    this(null);
  }

  /**
   * @param source where a reload reads the configuration (the launcher: the same file and environment as at
   *     start-up); null for the node's configuration
   */
  public AlertService(Supplier<SwitchboardConfig> source) {
    this.source = source;
  }

  @Override
  public String role() {
    return "alert";
  }

  /**
   * Validates {@code alert.rules} and {@code alert.sinks} as start-up does (the one code path start-up, reloads,
   * {@code --print-config} and {@code switchboard rules check} share); a bad entry is a ConfigException naming the key
   * and the rule or sink.
   */
  public static Checked check(SwitchboardConfig config) {
    return new Checked(RuleParser.fromConfig(config), SinkConfig.fromConfig(config));
  }

  @Override
  public Future<?> deploy(NodeContext node) {
    Checked checked;
    try {
      checked = check(node.config());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Supplier<SwitchboardConfig> reloadFrom = source != null ? source : node::config;
    AlertVerticle v = new AlertVerticle(node, checked.rules(), checked.sinks(), reloadFrom);
    return node.vertx().deployVerticle(v).onSuccess(id -> verticle = v);
  }

  /**
   * Reloads the rules and sinks on this node's replica and then on every other (SIGHUP). Fails with a
   * ConfigException naming the rule or sink when the configuration does not validate; nothing changes then.
   */
  public Future<JsonObject> reload() {
    AlertVerticle v = verticle;
    return v == null ? Future.failedFuture("the alert service is not running") : v.reloadEverywhere();
  }
}
