package io.switchboard.common.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Future;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeStartTest {

  @Test
  void aServiceThatFailsToDeployFailsTheStartWithItsError() {
    SwitchboardService broken = new SwitchboardService() {
      @Override
      public String role() {
        return "hub";
      }

      @Override
      public Future<?> deploy(NodeContext node) {
        return Future.failedFuture(new ConfigException("alert.rules", "alert rule 'X' is malformed"));
      }
    };
    try (TestNodes.Cluster c = new TestNodes.Cluster(2)) {
      assertThatThrownBy(() -> c.start("broken", List.of(broken), Map.of("cluster.mode", "none")))
          .hasRootCauseInstanceOf(ConfigException.class).hasMessageContaining("alert rule 'X'");
    }
  }

  @Test
  void severalHttpInstancesShareOnePortEvenWhenPortZeroWasAsked() throws Exception {
    try (TestNodes.Cluster c = new TestNodes.Cluster(2)) {
      SwitchboardNode n = c.start("multi", List.of(), Map.of("cluster.mode", "none", "http.instances", 3));
      for (int i = 0; i < 6; i++) {
        // new connections each time: every instance must answer on the one port
        HttpResponse<String> r = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
    }
  }
}
