package io.switchboard.hub.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the node's WebSockets that have not completed their handshake, in all and per source address, against
 * two caps. {@link #tryAcquire} takes a slot or says which cap refused it; the slot is given back once through
 * {@link Slot#release()} (handshake done, or socket closed). Thread-safe: upgrades arrive on every event loop. Memory
 * is one map entry per address with a pending socket.
 */
public final class PendingHandshakes {
  /** Why an upgrade was refused, or null when it got a slot. */
  public enum Refusal { NODE, ADDRESS }

  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();

  public PendingHandshakes(int maxTotal, int maxPerAddress) {
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /** A pending socket's place in the counts; releasing it twice is harmless. */
  public final class Slot {
    private final String address;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(String address) {
      this.address = address;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        give(address);
      }
    }
  }

  /** The result of {@link #tryAcquire}: a slot, or the cap that refused one. */
  public record Result(Slot slot, Refusal refusal) {}

  public Result tryAcquire(String address) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return new Result(null, Refusal.NODE);
    }
    boolean[] ok = {false};
    perAddress.compute(address, (k, n) -> {
      int now = n == null ? 0 : n;
      if (now >= maxPerAddress) {
        return n;
      }
      ok[0] = true;
      return now + 1;
    });
    if (!ok[0]) {
      total.decrementAndGet();
      return new Result(null, Refusal.ADDRESS);
    }
    return new Result(new Slot(address), null);
  }

  private void give(String address) {
    perAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
    total.decrementAndGet();
  }

  public int total() {
    return total.get();
  }

  public int fromAddress(String address) {
    return perAddress.getOrDefault(address, 0);
  }
}
