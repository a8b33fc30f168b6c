package io.switchboard.alert;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.tracing.NodeTracing;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.health.HealthRegistry;
import io.switchboard.common.metrics.NodeCounters;
import io.switchboard.common.metrics.NodeMetrics;
import io.switchboard.common.node.NodeContext;
import io.switchboard.common.node.NodeIdentity;
import io.switchboard.common.node.ShutdownState;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up of the alert role on a node that is not clustered (cluster.mode none, the single-process case). */
class AlertServiceStartupTest {
  static final TestNodes.Cluster NAMES = new TestNodes.Cluster(1);

  @Test
  void aMalformedRuleStopsStartUpWithAnErrorNamingIt() {
    String rules = new JsonArray().add(new JsonObject().put("name", "GoodRule").put("expr", "errorRate").put("op", ">").put("threshold", 0.1))
        .add(new JsonObject().put("name", "BrokenRule").put("expr", "errorRate").put("op", ">").put("threshold", "ten")).encode();
    // through the service's deploy (SwitchboardNode.start's own failure path is common's: it closes Vert.x and
    // hands the launcher the cause, which maps a ConfigException to exit code 2)
    Vertx vertx = Vertx.vertx();
    try {
      SwitchboardConfig cfg = NAMES.config("bad", Map.of("cluster.mode", "none", "alert.rules", rules));
      NodeIdentity id = NodeIdentity.create("bad", List.of("alert"), "test");
      NodeMetrics metrics = new NodeMetrics(id);
      NodeContext ctx = new NodeContext(vertx, cfg, id,
          Router.router(vertx), metrics, new NodeCounters(metrics.registry()),
          new HealthRegistry(vertx), new ShutdownState(), null, null, NodeTracing.off());
      assertThatThrownBy(() -> Await.await(new AlertService().deploy(ctx)))
        .rootCause().isInstanceOf(ConfigException.class)
        .hasMessageContaining("alert rule 'BrokenRule'")
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("alert.rules"));
      assertThat(vertx.deploymentIDs()).isEmpty();
    } finally {
      Await.await(vertx.close());
    }
  }

  @Test
  void checkIsStartUpsValidationWithoutANode() {
    String rules = new JsonArray().add(new JsonObject().put("name", "BrokenRule").put("expr", "errorRate").put("op", "=>")
        .put("threshold", 1)).encode();
    assertThatThrownBy(() -> AlertService.check(NAMES.config("bad", Map.of("alert.rules", rules))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration key 'alert.rules': alert rule 'BrokenRule': op '=>' is not one of >, >=, <, <=, ==, !=");
    String sinks = new JsonArray().add(new JsonObject().put("type", "webhook")).encode();
    assertThatThrownBy(() -> AlertService.check(NAMES.config("bad", Map.of("alert.sinks", sinks))))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("alert.sinks"));
    AlertService.Checked defaults = AlertService.check(NAMES.config("good", Map.of()));
    assertThat(defaults.rules()).extracting(Rule::name).isEqualTo(RuleParser.defaults().stream().map(Rule::name).toList());
    assertThat(defaults.sinks()).isEmpty();
  }

  @Test
  void aSingleUnclusteredNodeLeadsAndAlerts() {
    SwitchboardNode n = Await.await(SwitchboardNode.start(NAMES.config("solo", Map.of("cluster.mode", "none", 
        "alert.evaluationInterval", "100ms",
        "alert.rules", new JsonArray().add(new JsonObject().put("name", "Solo").put("expr", "nodesDown").put("op", ">").put("threshold", 0)).encode())),
        List.of(new AlertService())));
    TestSupport.StatsDriver stats = new TestSupport.StatsDriver(n.vertx());
    try {
      TestSupport.Recorder events = new TestSupport.Recorder(n.vertx());
      stats.set("nodesDown", 1);
      eventually(10_000, () -> !events.of("Solo", "firing").isEmpty(), () -> "no firing event on a single node");
      JsonObject status = TestSupport.query(n.vertx(), new JsonObject().put("what", "status"));
      assertThat(status.getJsonObject("replica").getBoolean("leading")).isTrue();
      stats.set("nodesDown", 0);
      eventually(10_000, () -> !events.of("Solo", "resolved").isEmpty(), () -> "no resolved event on a single node");
    } finally {
      stats.stop();
      Await.await(n.stop());
    }
  }
}
