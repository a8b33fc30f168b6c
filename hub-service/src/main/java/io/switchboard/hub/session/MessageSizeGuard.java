package io.switchboard.hub.session;

/**
 * Tracks the size of the WebSocket message being reassembled from its frames (a message is its first frame plus
 * continuations up to the final one), so the hub can refuse a message over {@code hub.maxMessageBytes} as soon as
 * it crosses the limit. Pure; one event loop.
 */
public final class MessageSizeGuard {
  private final long max;
  private long current;

  public MessageSizeGuard(long maxBytes) {
    this.max = maxBytes;
  }

  /**
   * Adds a frame of {@code length} bytes; {@code first} for a text/binary frame that starts a message.
   * Returns false when the message is now over the limit.
   */
  public boolean add(boolean first, long length) {
    if (first) {
      current = 0;
    }
    current += length;
    return current <= max;
  }

  public void reset() {
    current = 0;
  }

  public long current() {
    return current;
  }
}
