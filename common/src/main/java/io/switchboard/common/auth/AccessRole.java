package io.switchboard.common.auth;

import java.util.Locale;

/**
 * What a credential lets its holder be (docs/operations.md, Authentication): a HAIP client (calls tools), a HAIP
 * agent (offers tools), a monitor ({@code /ws} and the bridge's event stream) or an admin (the admin surface, every
 * execution and event, remote addresses).
 */
public enum AccessRole {
  CLIENT, AGENT, MONITOR, ADMIN;

  /** The name in a token's roles claim. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role a claim value names, or null when it names none of them. */
  public static AccessRole of(String wire) {
    for (AccessRole r : values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    return null;
  }
}
