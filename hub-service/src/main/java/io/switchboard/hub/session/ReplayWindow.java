package io.switchboard.hub.session;

import java.util.ArrayList;
import java.util.List;

/**
 * The server frames a transaction keeps for REPLAY_REQUEST: the last {@code maxFrames} frames and none older than
 * {@code maxAgeMs}, whichever is less (haip-protocol.md). Frames are kept as the exact text sent, with their seq.
 * A request reaching below a frame that has left the window is TOO_OLD. Pure; one event loop.
 */
public final class ReplayWindow {
  public record Replay(boolean tooOld, List<String> frames) {}

  private final int maxFrames;
  private final long maxAgeMs;
  private long[] seqs;
  private long[] times;
  private String[] texts;
  private int head;
  private int size;
  /** Highest seq that has left the window (0: nothing evicted). */
  private long evictedUpTo;

  public ReplayWindow(int maxFrames, long maxAgeMs) {
    this.maxFrames = maxFrames;
    this.maxAgeMs = maxAgeMs;
  }

  public void add(long seq, String text, long nowMs) {
    if (maxFrames <= 0) {
      evictedUpTo = seq;
      return;
    }
    expire(nowMs);
    if (seqs == null) {
      int cap = Math.min(maxFrames, 8);
      seqs = new long[cap];
      times = new long[cap];
      texts = new String[cap];
    }
    if (size == maxFrames) {
      evictHead();
    } else if (size == seqs.length) {
      grow();
    }
    int idx = (head + size) % seqs.length;
    seqs[idx] = seq;
    times[idx] = nowMs;
    texts[idx] = text;
    size++;
  }

  private void grow() {
    int cap = Math.min(maxFrames, seqs.length * 2);
    long[] s = new long[cap];
    long[] t = new long[cap];
    String[] x = new String[cap];
    for (int i = 0; i < size; i++) {
      int idx = (head + i) % seqs.length;
      s[i] = seqs[idx];
      t[i] = times[idx];
      x[i] = texts[idx];
    }
    seqs = s;
    times = t;
    texts = x;
    head = 0;
  }

  private void evictHead() {
    evictedUpTo = seqs[head];
    texts[head] = null;
    head = (head + 1) % seqs.length;
    size--;
  }

  private void expire(long nowMs) {
    while (size > 0 && nowMs - times[head] > maxAgeMs) {
      evictHead();
    }
  }

  public int size() {
    return size;
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
        out.add(texts[idx]);
      }
    }
    return new Replay(false, out);
  }
}
