package io.switchboard.hub.session;

/**
 * Credit the hub grants back as it consumes a client's frames (docs/haip.md, "Limits"): per channel, once
 * half the advertised initial credit has been consumed, grant that many messages and bytes back with a FLOW_UPDATE.
 * The hub never withholds its own frames for want of credit. Pure; one event loop.
 */
public final class FlowCredit {
  /** A grant to send: {@code FLOW_UPDATE {channel, add_messages, add_bytes}}. */
  public record Grant(int channel, long messages, long bytes) {}

  private final long threshold;
  private final long[] messages = new long[5];
  private final long[] bytes = new long[5];

  public FlowCredit(long initialCreditMessages) {
    this.threshold = Math.max(1, initialCreditMessages / 2);
  }

  /** Records a consumed frame; returns a grant when one is due, else null. */
  public Grant consumed(int channel, long frameBytes) {
    if (channel < 0 || channel >= messages.length) {
      return null;
    }
    messages[channel]++;
    bytes[channel] += frameBytes;
    if (messages[channel] >= threshold) {
      Grant g = new Grant(channel, messages[channel], bytes[channel]);
      messages[channel] = 0;
      bytes[channel] = 0;
      return g;
    }
    return null;
  }
}
