package io.switchboard.common.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster's health from its members' answers (docs/operations.md, "Cluster health"): {@code UP} when every member
 * is ready; {@code DEGRADED} (HTTP 200) when some member is degraded, not ready or unreachable but every required role
 * has a ready member; {@code DOWN} (HTTP 503) when some required role has no ready member. Pure: no Vert.x, no clock.
 */
public final class ClusterHealth {
  private ClusterHealth() {}

  public static final String UP = "UP";
  public static final String DEGRADED = "DEGRADED";
  public static final String DOWN = "DOWN";
  /** A member's status when it did not answer in time. */
  public static final String UNREACHABLE = "UNREACHABLE";

  /**
   * One cluster member as the asking node saw it.
   *
   * @param memberId the Hazelcast member id
   * @param nodeId the Switchboard node id the member announced (null when unknown)
   * @param name the node's operator-facing name (null when unknown)
   * @param roles the roles the member announced (empty when unknown)
   * @param live the member's live probe {@code {status, checks}}, null when it did not answer
   * @param ready the member's ready probe, null when it did not answer
   * @param startup the member's startup probe, null when it did not answer
   * @param tookMs how long the asking node waited for the answer, or for the timeout
   * @param error why there is no answer (null when there is one)
   */
  public record Member(String memberId, String nodeId, String name, List<String> roles, JsonObject live,
      JsonObject ready, JsonObject startup, long tookMs, String error) {

    public Member {
      roles = List.copyOf(roles);
    }

    /** A member that answered in time. */
    public static Member answered(String memberId, String nodeId, String name, List<String> roles, JsonObject live,
        JsonObject ready, JsonObject startup, long tookMs) {
      return new Member(memberId, nodeId, name, roles, live, ready, startup, tookMs, null);
    }

    /** A member that did not answer within the timeout, or could not be asked. */
    public static Member unreachable(String memberId, String nodeId, String name, List<String> roles, long tookMs,
        String error) {
      return new Member(memberId, nodeId, name, roles, null, null, null, tookMs, error == null ? "no answer" : error);
    }

    public boolean reachable() {
      return error == null;
    }

    /** Ready: answered, and its ready probe passed (UP, or degraded by a non-critical check). */
    public boolean isReady() {
      return reachable() && ready != null && !DOWN.equals(ready.getString("status"));
    }

    /**
     * {@code UP} when all three probes are UP; {@code DOWN} when its ready probe failed; {@code degraded} when it is
     * ready but some probe is not UP; {@code UNREACHABLE} without an answer.
     */
    public String status() {
      if (!reachable()) {
        return UNREACHABLE;
      }
      if (!isReady()) {
        return DOWN;
      }
      return up(live) && up(ready) && up(startup) ? UP : "degraded";
    }

    private static boolean up(JsonObject probe) {
      return probe != null && UP.equals(probe.getString("status"));
    }

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("memberId", memberId).put("nodeId", nodeId).put("name", name)
          .put("roles", new JsonArray(new ArrayList<>(roles))).put("status", status()).put("ready", isReady())
          .put("tookMs", tookMs);
      if (reachable()) {
        j.put("probes", new JsonObject().put("live", live).put("ready", ready).put("startup", startup));
      } else {
        j.put("error", error);
      }
      return j;
    }
  }

  /**
   * The decision.
   *
   * @param status {@link #UP}, {@link #DEGRADED} or {@link #DOWN}
   * @param httpStatus 200, or 503 when DOWN
   * @param members every member, sorted by name then member id
   * @param rolesWithoutReadyMember the required roles no ready member runs (empty unless DOWN)
   * @param timestamp when the view was taken (epoch ms, given by the caller)
   */
  public record View(String status, int httpStatus, List<Member> members, List<String> rolesWithoutReadyMember,
      long timestamp) {

    public int membersNotReady() {
      return (int) members.stream().filter(m -> !m.isReady()).count();
    }

    public int membersUnreachable() {
      return (int) members.stream().filter(m -> !m.reachable()).count();
    }

    /**
     * The body of {@code GET /health/cluster} and of {@code switchboard.health.cluster}:
     * {@code {status, members, membersReady, membersNotReady, membersUnreachable, roles:{role:readyCount},
     * rolesWithoutReadyMember, timestamp, nodes:[member...]}}.
     */
    public JsonObject toJson(Set<String> requiredRoles) {
      JsonArray nodes = new JsonArray();
      members.forEach(m -> nodes.add(m.toJson()));
      JsonObject roles = new JsonObject();
      readyPerRole(members, requiredRoles).forEach(roles::put);
      return new JsonObject().put("status", status).put("members", members.size())
          .put("membersReady", members.size() - membersNotReady()).put("membersNotReady", membersNotReady())
          .put("membersUnreachable", membersUnreachable()).put("roles", roles)
          .put("rolesWithoutReadyMember", new JsonArray(new ArrayList<>(rolesWithoutReadyMember)))
          .put("timestamp", timestamp).put("nodes", nodes);
    }
  }

  /** Decides the cluster's status from its members' answers; {@code requiredRoles} each need a ready member. */
  public static View decide(List<Member> members, Set<String> requiredRoles, long now) {
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing((Member m) -> m.name() == null ? "" : m.name()).thenComparing(Member::memberId));
    List<String> missing = new ArrayList<>();
    readyPerRole(sorted, requiredRoles).forEach((role, ready) -> {
      if (ready == 0) {
        missing.add(role);
      }
    });
    String status;
    if (!missing.isEmpty() || sorted.isEmpty()) {
      status = DOWN;
    } else if (sorted.stream().allMatch(m -> UP.equals(m.status()))) {
      status = UP;
    } else {
      status = DEGRADED;
    }
    return new View(status, DOWN.equals(status) ? 503 : 200, List.copyOf(sorted), List.copyOf(missing), now);
  }

  private static Map<String, Integer> readyPerRole(List<Member> members, Set<String> requiredRoles) {
    Map<String, Integer> out = new LinkedHashMap<>();
    requiredRoles.stream().sorted().forEach(r -> out.put(r, 0));
    for (Member m : members) {
      if (m.isReady()) {
        for (String r : m.roles()) {
          out.merge(r, 1, Integer::sum);
        }
      }
    }
    return out;
  }
}
