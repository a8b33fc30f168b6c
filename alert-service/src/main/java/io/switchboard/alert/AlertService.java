package io.switchboard.alert;

import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.node.NodeContext;
import io.switchboard.common.node.SwitchboardService;
import io.vertx.core.Future;
import java.util.List;

/**
 * The alert role: evaluates rules over the cluster view and delivers alert transitions (docs/alerts.md). Rules and
 * sinks are validated before anything is deployed, so a malformed rule stops start-up with a ConfigException on
 * {@code alert.rules} naming the rule.
 */
public final class AlertService implements SwitchboardService {
  /** The rules and sinks of a configuration, validated. */
  public record Checked(List<Rule> rules, List<SinkConfig> sinks) {}

  @Override
  public String role() {
    return "alert";
  }

  /**
   * Validates {@code alert.rules} and {@code alert.sinks} as start-up does (the one code path start-up and
   * {@code switchboard rules check} share); a bad entry is a ConfigException naming the key and the rule or sink.
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
    return node.vertx().deployVerticle(new AlertVerticle(node, checked.rules(), checked.sinks()));
  }
}
