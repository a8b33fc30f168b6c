package io.switchboard.common.node;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * Who this process is: {@code nodeId} is unique per process start (a restarted node is a new node),
 * {@code name} is the operator's stable name, {@code roles} the services it runs.
 */
public record NodeIdentity(String nodeId, String name, List<String> roles, long startedAt, String version) {

  public static NodeIdentity create(String name, List<String> roles, String version) {
    return new NodeIdentity(UUID.randomUUID().toString(), name, List.copyOf(roles), System.currentTimeMillis(), version);
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("nodeId", nodeId)
        .put("name", name)
        .put("roles", new JsonArray(roles))
        .put("startedAt", startedAt)
        .put("version", version);
  }

  @SuppressWarnings("unchecked")
  public static NodeIdentity fromJson(JsonObject json) {
    return new NodeIdentity(
        json.getString("nodeId"),
        json.getString("name"),
        json.getJsonArray("roles", new JsonArray()).getList(),
        json.getLong("startedAt", 0L),
        json.getString("version", "unknown"));
  }
}
