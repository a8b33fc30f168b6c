package io.switchboard.hub.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The server frames a transaction keeps for REPLAY_REQUEST: the last {@code maxFrames} frames, none older than
 * {@code maxAgeMs}, and no more than {@code maxBytes} of them, whichever is least (docs/haip.md, "Limits"). Frames are
 * kept as the exact text sent (UTF-8), with their seq. A request reaching below a frame that has left the window
 * is TOO_OLD. Pure; one event loop.
 *
 * <p>The texts live in one byte ring per window, not as one String per frame: under load a window turns over
 * every few seconds, and a String per frame is exactly the medium-lived garbage a young collection has to copy
 * (measured: young pauses of 25–70 ms, once 244 ms, at 25,000 echoes/s with 100 sessions; see bench/RESULTS.md).
 * The ring is allocated small and doubles up to {@code maxBytes}; it holds no objects, only bytes, and it lives
 * outside the Java heap (pooled direct memory, given back when the window frees it): with a thousand transactions
 * each growing a ring toward {@code maxBytes}, rings on the heap were most of what young collections copied, and
 * the pauses that made the p99.9 (bench/RESULTS-history.md, issue 18 hot path).
 *
 * <p>What the window's arrays hold (ring and index capacity) is reserved from the node's {@link MemoryBudget}
 * before it is allocated. A window refused growth keeps less: its oldest frames leave first, and a frame that
 * cannot fit at all is not kept (a replay reaching it is TOO_OLD). Frames older than the budget's age cutoff leave
 * on each add, and {@link #shed} (the pressure sweep, on the window's event loop) drops them from idle windows and
 * gives back the memory. {@link #close()} gives back everything when the transaction ends. The steady-state add
 * touches no shared state beyond one volatile read.
 */
public final class ReplayWindow {
  /**
   * A replay answer: the frames in range in order with their seqs; {@code nextSeq} is the seq of the first frame
   * in range left out because the answer reached its byte bound, or -1 when the answer is complete.
   */
  public record Replay(boolean tooOld, List<String> frames, List<Long> seqs, long nextSeq) {
    public boolean complete() {
      return nextSeq < 0;
    }
  }

  /** Where rings come from: pooled direct memory, outside the Java heap. */
  private static final ByteBufAllocator RINGS = PooledByteBufAllocator.DEFAULT;
  private static final int INITIAL_BYTES = 1024;
  private static final int INITIAL_FRAMES = 8;
  /** What one index slot costs: a seq and a time (longs), an offset and a length (ints). */
  static final int SLOT_BYTES = 24;

  private final ByteBufAllocator rings;
  private final int maxFrames;
  private final long maxAgeMs;
  private final int maxBytes;
  private final MemoryBudget budget;
  // frame index ring
  private long[] seqs;
  private long[] times;
  private int[] offsets;
  private int[] lengths;
  private int head;
  private int size;
  // byte ring: the frames' text, oldest at bytesHead
  private ByteBuf bytes;
  /** The ring's size in bytes (its buffer's capacity). */
  private int ringCap;
  private int bytesHead;
  private int bytesUsed;
  /** Highest seq that has left the window (0: nothing evicted). */
  private long evictedUpTo;
  /** Bytes reserved from the budget for the arrays above. */
  private long held;
  private boolean closed;

  public ReplayWindow(int maxFrames, long maxAgeMs, int maxBytes) {
    this(maxFrames, maxAgeMs, maxBytes, MemoryBudget.unlimited());
  }

  public ReplayWindow(int maxFrames, long maxAgeMs, int maxBytes, MemoryBudget budget) {
    this(maxFrames, maxAgeMs, maxBytes, budget, RINGS);
  }

  /** With rings from {@code rings} (tests count what it hands out). */
  ReplayWindow(int maxFrames, long maxAgeMs, int maxBytes, MemoryBudget budget, ByteBufAllocator rings) {
    this.rings = rings;
    this.maxFrames = maxFrames;
    this.maxAgeMs = maxAgeMs;
    this.maxBytes = maxBytes;
    this.budget = budget;
  }

  public void add(long seq, String text, long nowMs) {
    add(seq, text.getBytes(StandardCharsets.UTF_8), nowMs);
  }

  /** Keeps a frame given as its UTF-8 text (copied into the ring; the array is not kept). */
  public void add(long seq, byte[] b, long nowMs) {
    if (closed) {
      return;
    }
    if (maxFrames <= 0 || b.length > maxBytes) {
      // not kept: everything up to it is beyond replay
      clear();
      evictedUpTo = seq;
      return;
    }
    expire(nowMs);
    if (seqs == null && !allocate(b.length)) {
      notKept(seq, b.length);
      return;
    }
    if (size == maxFrames) {
      evictHead();
    } else if (size == seqs.length && !growIndex()) {
      budget.evicted(evictHead());
    }
    if (bytesUsed + b.length > ringCap) {
      boolean grown = ringCap < maxBytes && growBytes(bytesUsed + b.length);
      if (b.length > ringCap) {
        notKept(seq, b.length);
        return;
      }
      boolean constrained = !grown && ringCap < maxBytes;
      while (bytesUsed + b.length > ringCap) {
        int len = evictHead();
        if (constrained) {
          budget.evicted(len);
        }
      }
    }
    int at = (bytesHead + bytesUsed) % ringCap;
    int first = Math.min(b.length, ringCap - at);
    bytes.setBytes(at, b, 0, first);
    bytes.setBytes(0, b, first, b.length - first);
    bytesUsed += b.length;
    int idx = (head + size) % seqs.length;
    seqs[idx] = seq;
    times[idx] = nowMs;
    offsets[idx] = at;
    lengths[idx] = b.length;
    size++;
  }

  /** The first arrays, reserved from the budget; false when the budget refuses them. */
  private boolean allocate(int firstFrameBytes) {
    int cap = Math.min(maxFrames, INITIAL_FRAMES);
    int ring = Math.min(maxBytes, Math.max(INITIAL_BYTES, Integer.highestOneBit(firstFrameBytes) << 1));
    long cost = ring + (long) cap * SLOT_BYTES;
    if (!budget.reserveReplay(cost)) {
      return false;
    }
    held += cost;
    seqs = new long[cap];
    times = new long[cap];
    offsets = new int[cap];
    lengths = new int[cap];
    bytes = rings.directBuffer(ring, ring);
    ringCap = ring;
    bytesHead = 0;
    bytesUsed = 0;
    head = 0;
    return true;
  }

  /** A frame the budget has no room for: it and everything before it are beyond replay. */
  private void notKept(long seq, int len) {
    budget.evicted(bytesUsed + len);
    clear();
    evictedUpTo = seq;
    free();
  }

  private boolean growIndex() {
    int cap = Math.min(maxFrames, seqs.length * 2);
    long cost = (long) (cap - seqs.length) * SLOT_BYTES;
    if (!budget.reserveReplay(cost)) {
      return false;
    }
    held += cost;
    reindex(cap);
    return true;
  }

  private void reindex(int cap) {
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

  /** A larger byte ring (at least {@code needed}, at most maxBytes), if the budget allows it. */
  private boolean growBytes(int needed) {
    long cap = ringCap;
    while (cap < needed) {
      cap *= 2;
    }
    int newCap = (int) Math.min(maxBytes, cap);
    if (!budget.reserveReplay(newCap - ringCap)) {
      return false;
    }
    held += newCap - ringCap;
    rering(newCap);
    return true;
  }

  /** Moves the kept frames to the start of a new byte ring of {@code cap} bytes (cap ≥ bytesUsed). */
  private void rering(int cap) {
    ByteBuf nb = rings.directBuffer(cap, cap);
    int pos = 0;
    for (int i = 0; i < size; i++) {
      int idx = (head + i) % seqs.length;
      int off = offsets[idx];
      int len = lengths[idx];
      int first = Math.min(len, ringCap - off);
      nb.setBytes(pos, bytes, off, first);
      nb.setBytes(pos + first, bytes, 0, len - first);
      offsets[idx] = pos;
      pos += len;
    }
    bytes.release();
    bytes = nb;
    ringCap = cap;
    bytesHead = 0;
    bytesUsed = pos;
  }

  private void copyOut(int off, int len, byte[] dst, int dstPos) {
    int first = Math.min(len, ringCap - off);
    bytes.getBytes(off, dst, dstPos, first);
    bytes.getBytes(0, dst, dstPos + first, len - first);
  }

  /** Drops the oldest frame; returns its length. */
  private int evictHead() {
    evictedUpTo = seqs[head];
    int len = lengths[head];
    bytesHead = (bytesHead + len) % ringCap;
    bytesUsed -= len;
    head = (head + 1) % seqs.length;
    size--;
    if (size == 0) {
      bytesHead = 0;
      bytesUsed = 0;
    }
    return len;
  }

  private void clear() {
    while (size > 0) {
      evictHead();
    }
  }

  /** Gives the arrays back to the budget (the window is empty). */
  private void free() {
    budget.releaseReplay(held);
    held = 0;
    seqs = null;
    times = null;
    offsets = null;
    lengths = null;
    if (bytes != null) {
      bytes.release();
    }
    bytes = null;
    ringCap = 0;
    head = 0;
    bytesHead = 0;
    bytesUsed = 0;
  }

  private void expire(long nowMs) {
    long cutoff = budget.evictBeforeMs();
    while (size > 0) {
      long t = times[head];
      if (nowMs - t > maxAgeMs) {
        evictHead();
      } else if (t < cutoff) {
        budget.evicted(evictHead());
      } else {
        break;
      }
    }
  }

  /**
   * Memory pressure (on the window's event loop): drops the frames older than {@code cutoffMs}, then gives back
   * what the remaining frames do not need (all of it when none is left; the ring shrinks when a quarter or less of
   * it is used).
   */
  public void shed(long cutoffMs, long nowMs) {
    if (closed || seqs == null) {
      return;
    }
    expire(nowMs);
    while (size > 0 && times[head] < cutoffMs) {
      budget.evicted(evictHead());
    }
    if (size == 0) {
      free();
      return;
    }
    budget.noteOldest(times[head]);
    if (bytesUsed <= ringCap / 4 && ringCap > INITIAL_BYTES) {
      int cap = Math.max(INITIAL_BYTES, Integer.highestOneBit(Math.max(1, bytesUsed - 1)) << 1);
      if (cap < ringCap) {
        long freed = ringCap - cap;
        rering(cap);
        held -= freed;
        budget.releaseReplay(freed);
      }
    }
    if (size <= seqs.length / 4 && seqs.length > INITIAL_FRAMES) {
      int cap = Math.max(INITIAL_FRAMES, Integer.highestOneBit(Math.max(1, size - 1)) << 1);
      if (cap < seqs.length) {
        long freed = (long) (seqs.length - cap) * SLOT_BYTES;
        reindex(cap);
        held -= freed;
        budget.releaseReplay(freed);
      }
    }
  }

  /** The transaction ended: every frame leaves and the memory goes back to the budget. True the first time. */
  public boolean close() {
    if (closed) {
      return false;
    }
    closed = true;
    clear();
    free();
    return true;
  }

  public int size() {
    return size;
  }

  /** Bytes of frame text kept (what the window costs beyond its fixed arrays). */
  public int bytesKept() {
    return bytesUsed;
  }

  /** Bytes the window's arrays hold, as reserved from the budget. */
  public long bytesHeld() {
    return held;
  }

  /** Frames with {@code from ≤ seq ≤ to}, in order, all of them; see {@link #replay(long, long, long, long)}. */
  public Replay replay(long from, long to, long nowMs) {
    return replay(from, to, nowMs, Long.MAX_VALUE);
  }

  /**
   * Frames with {@code from ≤ seq ≤ to}, in order, until their bytes would pass {@code maxAnswerBytes} (the first
   * frame is always included, so a client always makes progress); tooOld when a frame at or above {@code from}
   * has left the window.
   */
  public Replay replay(long from, long to, long nowMs, long maxAnswerBytes) {
    if (seqs != null) {
      expire(nowMs);
    }
    if (closed || (evictedUpTo > 0 && from <= evictedUpTo)) {
      return new Replay(true, List.of(), List.of(), -1);
    }
    List<String> out = new ArrayList<>();
    List<Long> outSeqs = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < size; i++) {
      int idx = (head + i) % seqs.length;
      long s = seqs[idx];
      if (s >= from && s <= to) {
        int len = lengths[idx];
        if (!out.isEmpty() && total + len > maxAnswerBytes) {
          return new Replay(false, out, outSeqs, s);
        }
        byte[] b = new byte[len];
        copyOut(offsets[idx], len, b, 0);
        out.add(new String(b, StandardCharsets.UTF_8));
        outSeqs.add(s);
        total += len;
      }
    }
    return new Replay(false, out, outSeqs, -1);
  }
}
