package io.switchboard.hub;

/**
 * What a HAIP session is, from its HAI's {@code role}: a client (the default when HAI names none) or an agent, which
 * may offer tools. Any other value is refused at the handshake (docs/haip.md, "Session lifecycle").
 */
enum Role {
  CLIENT("client"),
  AGENT("agent");

  /** The name on the wire, in events and in the {@code role} label of the node's session gauges. */
  final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  /** The role a HAI asks for: CLIENT when it names none, null when it names one that does not exist. */
  static Role ofHai(Object value) {
    if (value == null) {
      return CLIENT;
    }
    for (Role r : values()) {
      if (r.wire.equals(value)) {
        return r;
      }
    }
    return null;
  }
}
