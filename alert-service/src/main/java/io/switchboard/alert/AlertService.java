package io.switchboard.alert;

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
  @Override
  public String role() {
    return "alert";
  }

  @Override
  public Future<?> deploy(NodeContext node) {
    List<Rule> rules;
    List<SinkConfig> sinks;
    try {
      rules = RuleParser.fromConfig(node.config());
      sinks = SinkConfig.fromConfig(node.config());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return node.vertx().deployVerticle(new AlertVerticle(node, rules, sinks));
  }
}
