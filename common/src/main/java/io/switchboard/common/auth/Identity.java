package io.switchboard.common.auth;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who a connection or request is, as its credential says (docs/operations.md, Authentication).
 *
 * @param subject the credential's subject: a JWT's {@code sub}, {@code token:<list>#<n>} for a static token, or
 *     {@code anonymous}; an agent may take over a tool name only from an agent of the same subject
 * @param roles what the holder may be
 * @param offer the tools an agent may offer
 * @param call the tools a client may call
 * @param watch the tools whose executions (and events) a monitor may see
 */
public record Identity(String subject, Set<AccessRole> roles, ToolPatterns offer, ToolPatterns call, ToolPatterns watch) {
  public static final String ANONYMOUS = "anonymous";

  public Identity {
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
  }

  /** Everything, every tool: the identity of every connection on a node with no authentication configured. */
  public static Identity open(boolean agents) {
    Set<AccessRole> r = agents ? EnumSet.allOf(AccessRole.class)
        : EnumSet.of(AccessRole.CLIENT, AccessRole.MONITOR, AccessRole.ADMIN);
    return new Identity(ANONYMOUS, r, ToolPatterns.ALL, ToolPatterns.ALL, ToolPatterns.ALL);
  }

  public boolean has(AccessRole role) {
    return roles.contains(role);
  }

  public boolean admin() {
    return roles.contains(AccessRole.ADMIN);
  }

  public boolean mayCall(String tool) {
    return has(AccessRole.CLIENT) && (admin() || call.allows(tool));
  }

  public boolean mayOffer(String tool) {
    return has(AccessRole.AGENT) && offer.allows(tool);
  }

  /** Whether a monitor may see the executions (and events) of {@code tool}. */
  public boolean mayWatch(String tool) {
    return admin() || (has(AccessRole.MONITOR) && watch.allows(tool));
  }

  /** Whether a monitor sees every execution and every event (remote addresses still only for an admin). */
  public boolean watchesAll() {
    return admin() || (has(AccessRole.MONITOR) && watch.all());
  }
}
