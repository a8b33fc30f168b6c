package io.switchboard.hub.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The server frames a transaction keeps for REPLAY_REQUEST: the last {@code maxFrames} frames, none older than
 * {@code maxAgeMs}, and no more than {@code maxBytes} of them, whichever is least (haip-protocol.md). Frames are
 * kept as the exact text sent (UTF-8), with their seq. A request reaching below a frame that has left the window
 * is TOO_OLD. Pure; one event loop.
 *
 * <p>The texts live in one byte ring per window, not as one String per frame: under load a window turns over
 * every few seconds, and a String per frame is exactly the medium-lived garbage a young collection has to copy
 * (measured: young pauses of 25–70 ms, once 244 ms, at 25,000 echoes/s with 100 sessions; see bench/RESULTS.md).
 * The ring is allocated small and doubles up to {@code maxBytes}; it holds no objects, only bytes.
 */
public final class ReplayWindow {
  public record Replay(boolean tooOld, List<String> frames) {}

  private static final int INITIAL_BYTES = 1024;
  private static final int INITIAL_FRAMES = 8;

  private final int maxFrames;
  private final long maxAgeMs;
  private final int maxBytes;
  // frame index ring
  private long[] seqs;
  private long[] times;
  private int[] offsets;
  private int[] lengths;
  private int head;
  private int size;
  // byte ring: the frames' text, oldest at bytesHead
  private byte[] bytes;
  private int bytesHead;
  private int bytesUsed;
  /** Highest seq that has left the window (0: nothing evicted). */
  private long evictedUpTo;

  public ReplayWindow(int maxFrames, long maxAgeMs, int maxBytes) {
    this.maxFrames = maxFrames;
    this.maxAgeMs = maxAgeMs;
    this.maxBytes = maxBytes;
  }

  public void add(long seq, String text, long nowMs) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    if (maxFrames <= 0 || b.length > maxBytes) {
      // not kept: everything up to it is beyond replay
      clear();
      evictedUpTo = seq;
      return;
    }
    expire(nowMs);
    if (seqs == null) {
      int cap = Math.min(maxFrames, INITIAL_FRAMES);
      seqs = new long[cap];
      times = new long[cap];
      offsets = new int[cap];
      lengths = new int[cap];
      bytes = new byte[Math.min(maxBytes, Math.max(INITIAL_BYTES, Integer.highestOneBit(b.length) << 1))];
    }
    if (size == maxFrames) {
      evictHead();
    } else if (size == seqs.length) {
      growIndex();
    }
    if (bytesUsed + b.length > bytes.length) {
      if (bytes.length < maxBytes) {
        growBytes(bytesUsed + b.length);
      }
      while (bytesUsed + b.length > bytes.length) {
        evictHead();
      }
    }
    int at = (bytesHead + bytesUsed) % bytes.length;
    int first = Math.min(b.length, bytes.length - at);
    System.arraycopy(b, 0, bytes, at, first);
    System.arraycopy(b, first, bytes, 0, b.length - first);
    bytesUsed += b.length;
    int idx = (head + size) % seqs.length;
    seqs[idx] = seq;
    times[idx] = nowMs;
    offsets[idx] = at;
    lengths[idx] = b.length;
    size++;
  }

  private void growIndex() {
    int cap = Math.min(maxFrames, seqs.length * 2);
    long[] s = new long[cap];
    long[] t = new long[cap];
    int[] o = new int[cap];
    int[] l = new int[cap];
    for (int i = 0; i < size; i++) {
      int idx = (head + i) % seqs.length;
      s[i] = seqs[idx];
      t[i] = times[idx];
      o[i] = offsets[idx];
      l[i] = lengths[idx];
    }
    seqs = s;
    times = t;
    offsets = o;
    lengths = l;
    head = 0;
  }

  /** A larger byte ring (at least {@code needed}, at most maxBytes), the kept frames moved to its start. */
  private void growBytes(int needed) {
    long cap = bytes.length;
    while (cap < needed) {
      cap *= 2;
    }
    byte[] nb = new byte[(int) Math.min(maxBytes, cap)];
    int pos = 0;
    for (int i = 0; i < size; i++) {
      int idx = (head + i) % seqs.length;
      copyOut(offsets[idx], lengths[idx], nb, pos);
      offsets[idx] = pos;
      pos += lengths[idx];
    }
    bytes = nb;
    bytesHead = 0;
    bytesUsed = pos;
  }

  private void copyOut(int off, int len, byte[] dst, int dstPos) {
    int first = Math.min(len, bytes.length - off);
    System.arraycopy(bytes, off, dst, dstPos, first);
    System.arraycopy(bytes, 0, dst, dstPos + first, len - first);
  }

  private void evictHead() {
    evictedUpTo = seqs[head];
    int len = lengths[head];
    bytesHead = (bytesHead + len) % bytes.length;
    bytesUsed -= len;
    head = (head + 1) % seqs.length;
    size--;
    if (size == 0) {
      bytesHead = 0;
      bytesUsed = 0;
    }
  }

  private void clear() {
    while (size > 0) {
      evictHead();
    }
  }

  private void expire(long nowMs) {
    while (size > 0 && nowMs - times[head] > maxAgeMs) {
      evictHead();
    }
  }

  public int size() {
    return size;
  }

  /** Bytes of frame text kept (what the window costs beyond its fixed arrays). */
  public int bytesKept() {
    return bytesUsed;
  }

  /** Frames with {@code from ≤ seq ≤ to}, in order; tooOld when a frame at or above {@code from} has left the window. */
  public Replay replay(long from, long to, long nowMs) {
    if (seqs != null) {
      expire(nowMs);
    }
    if (from <= evictedUpTo) {
      return new Replay(true, List.of());
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      int idx = (head + i) % seqs.length;
      long s = seqs[idx];
      if (s >= from && s <= to) {
        byte[] b = new byte[lengths[idx]];
        copyOut(offsets[idx], lengths[idx], b, 0);
        out.add(new String(b, StandardCharsets.UTF_8));
      }
    }
    return new Replay(false, out);
  }
}
