package io.switchboard.hub;

import static io.switchboard.common.testing.Await.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.switchboard.hub.testing.HaipTestClient;
import io.switchboard.hub.tools.ToolSchemaTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool schemas over real sockets, on two nodes: an agent on one offers a schema with minimum, pattern,
 * additionalProperties: false and oneOf; a client on the other is held to it on TRANSACTION_START; an agent whose
 * schema is unusable (a remote $ref, a pattern RE2 refuses) gets INVALID_SCHEMA and carries on with its other tools.
 */
class ToolSchemaOverHaipTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode a;
  static SwitchboardNode b;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    a = cluster.start("schema-a", List.of(new HubService()), Map.of());
    b = cluster.start("schema-b", List.of(new HubService()), Map.of());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    Await.await(vertx.close());
  }

  @Test
  void paramsAreHeldToTheAgentsSchemaOnAnotherNode() {
    JsonArray tools = new JsonArray().add(new JsonObject().put("name", "search").put("description", "typed")
        .put("inputSchema", ToolSchemaTest.SEARCH));
    try (HaipTestClient agent = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.agentHai(tools));
         HaipTestClient client = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.clientHai())) {
      eventually(() -> assertThat(client.toolNames()).contains("search"));
      long before = b.context().counters().errors(ErrorCodes.INVALID_PAYLOAD);
      record Bad(JsonObject params, String path) {}
      List<Bad> table = List.of(
          new Bad(new JsonObject().put("q", "abc").put("limit", 0), "params.limit"),
          new Bad(new JsonObject().put("q", "ABC"), "params.q"),
          new Bad(new JsonObject().put("q", "abc").put("extra", true), "params.extra"),
          new Bad(new JsonObject().put("q", "abc").put("mode", "slow"), "params.mode"));
      for (Bad bad : table) {
        JsonObject sent = client.send("TRANSACTION_START", "r", new JsonObject().put("toolName", "search").put("params", bad.params()));
        JsonObject err = client.error(ErrorCodes.INVALID_PAYLOAD);
        assertThat(err.getJsonObject("payload").getString("related_id")).isEqualTo(sent.getString("id"));
        assertThat(err.getJsonObject("payload").getString("message")).as(bad.params().encode()).contains(bad.path() + ":");
      }
      assertThat(b.context().counters().errors(ErrorCodes.INVALID_PAYLOAD)).isEqualTo(before + table.size());
      client.start("search", new JsonObject().put("q", "abc").put("limit", 2).put("mode", new JsonObject().put("depth", 1)));
      assertThat(agent.next("TRANSACTION_START").getJsonObject("payload").getJsonObject("params").getString("q")).isEqualTo("abc");
    }
  }

  @Test
  void anAgentWithAnUnusableSchemaIsToldWhyAndKeepsItsOtherTools() {
    JsonArray tools = new JsonArray()
        .add(new JsonObject().put("name", "remote").put("inputSchema", new JsonObject().put("$ref", "http://127.0.0.1:1/schema.json")))
        .add(new JsonObject().put("name", "backref").put("inputSchema", new JsonObject().put("type", "string").put("pattern", "(a)\\1")))
        .add(new JsonObject().put("name", "fine").put("inputSchema", new JsonObject().put("type", "object")));
    long before = a.context().counters().errors(ErrorCodes.INVALID_SCHEMA);
    try (HaipTestClient agent = HaipTestClient.open(vertx, a.httpPort(), HaipTestClient.agentHai(tools));
         HaipTestClient client = HaipTestClient.open(vertx, b.httpPort(), HaipTestClient.clientHai())) {
      JsonObject err = agent.error(ErrorCodes.INVALID_SCHEMA);
      String message = err.getJsonObject("payload").getString("message");
      assertThat(message).contains("remote: only references inside the schema").contains("backref: pattern")
          .contains("not RE2 syntax");
      assertThat(a.context().counters().errors(ErrorCodes.INVALID_SCHEMA)).isEqualTo(before + 1);
      eventually(() -> assertThat(client.toolNames()).contains("fine"));
      assertThat(client.toolNames()).doesNotContain("remote", "backref");
      agent.echoRoundTrip("the agent's session carries on");
      client.start("fine", new JsonObject());
      agent.next("TRANSACTION_START");
    }
  }
}
