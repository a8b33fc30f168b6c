package io.switchboard.hub.protocol;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Cheap random UUIDs (version 4 layout) for frame and transaction ids, without SecureRandom contention. */
public final class Ids {
  private Ids() {}

  public static String uuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
