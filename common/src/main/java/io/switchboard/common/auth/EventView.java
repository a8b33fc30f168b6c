package io.switchboard.common.auth;

import io.vertx.core.json.JsonObject;

/**
 * What of a hub event ({@code switchboard.hub.events}) an identity may see, on {@code /ws} topic {@code events} and
 * on the bridge (docs/operations.md, Authentication): an admin sees every event whole; a monitor whose watch claim
 * covers every tool sees every event without its {@code remote} address; a monitor with narrower patterns sees only
 * events naming a {@code toolName} it may watch, without {@code remote}; anyone else sees none. Pure.
 */
public final class EventView {
  private EventView() {}

  /** The field of a connect event that holds the peer's address: admins only. */
  public static final String REMOTE = "remote";

  /** {@code event} itself, a copy without {@code remote}, or null when {@code who} may not see it. */
  public static JsonObject view(JsonObject event, Identity who) {
    if (who == null || event == null) {
      return null;
    }
    if (who.admin()) {
      return event;
    }
    if (!who.has(AccessRole.MONITOR)) {
      return null;
    }
    if (!who.watchesAll() && !(event.getValue("toolName") instanceof String tool && who.mayWatch(tool))) {
      return null;
    }
    if (!event.containsKey(REMOTE)) {
      return event;
    }
    JsonObject copy = event.copy();
    copy.remove(REMOTE);
    return copy;
  }
}
