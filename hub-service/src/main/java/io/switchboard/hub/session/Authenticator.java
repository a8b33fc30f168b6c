package io.switchboard.hub.session;

import io.vertx.core.json.JsonObject;

/**
 * The auth hook: decides from a client's HAI payload whether the session may proceed and whether it may offer
 * tools. Pure and synchronous (runs on the event loop: no blocking look-ups here).
 */
public interface Authenticator {
  /** accepted: the session may proceed; agentAllowed: it may offer tools. */
  record Decision(boolean accepted, boolean agentAllowed, String reason) {
    public static Decision accept(boolean agentAllowed) {
      return new Decision(true, agentAllowed, null);
    }

    public static Decision refuse(String reason) {
      return new Decision(false, false, reason);
    }
  }

  Decision authenticate(JsonObject haiPayload);
}
