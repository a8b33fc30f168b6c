package io.switchboard.hub.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node-wide memory accountant and the replay windows that reserve from it; the clock is passed in. */
class MemoryBudgetTest {
  static final long MINUTE = 60_000;

  static String frame(int i, int bytes) {
    String head = "f" + i + ":";
    return head + "x".repeat(Math.max(0, bytes - head.length()));
  }

  @Test
  void windowsTogetherNeverHoldMoreThanTheBudget() {
    MemoryBudget budget = new MemoryBudget(1 << 20, 5 * MINUTE);
    List<ReplayWindow> windows = new ArrayList<>();
    long seq = 0;
    // 40 windows each fed 100 frames of 10 KB: 40 MB of frames, 256 KiB allowed per window, 1 MiB for all of them
    for (int w = 0; w < 40; w++) {
      ReplayWindow win = new ReplayWindow(1000, 5 * MINUTE, 256 * 1024, budget);
      windows.add(win);
      for (int i = 0; i < 100; i++) {
        win.add(++seq, frame(i, 10_000), 1000 + seq);
        assertThat(budget.used()).isLessThanOrEqualTo(budget.limit());
      }
    }
    assertThat(windows.stream().mapToLong(ReplayWindow::bytesHeld).sum()).isEqualTo(budget.replayBytes());
    assertThat(budget.evictedBytes()).isGreaterThan(30_000_000L);
    // the last window, refused growth, still keeps what fits in what it has, newest frames last
    ReplayWindow last = windows.get(windows.size() - 1);
    ReplayWindow.Replay r = last.replay(seq, seq, 1000 + seq);
    assertThat(r.tooOld() || r.frames().get(0).startsWith("f99:")).isTrue();
    windows.forEach(ReplayWindow::close);
    assertThat(budget.replayBytes()).isZero();
  }

  @Test
  void aFrameTheBudgetHasNoRoomForIsNotKeptAndReplayIsTooOld() {
    // a 3000-byte frame takes a 4 KiB ring and an 8-slot index: 4288 bytes
    MemoryBudget budget = new MemoryBudget(8192, 5 * MINUTE);
    ReplayWindow hog = new ReplayWindow(1000, 5 * MINUTE, 1 << 20, budget);
    hog.add(1, frame(1, 3000), 0);
    ReplayWindow late = new ReplayWindow(1000, 5 * MINUTE, 1 << 20, budget);
    late.add(2, frame(2, 3000), 0);
    assertThat(late.size()).isZero();
    assertThat(late.replay(2, 2, 0).tooOld()).isTrue();
    assertThat(hog.replay(1, 1, 0).frames()).hasSize(1);
    assertThat(budget.used()).isEqualTo(4288);
    assertThat(budget.evictedBytes()).isEqualTo(3000);
  }

  @Test
  void pressureDropsTheOldestFramesFirstAcrossWindowsAndGivesTheMemoryBack() {
    // each window grows to a 64 KiB ring and a 64-slot index: 67,072 bytes, two of them above 90 % of 140,000
    MemoryBudget budget = new MemoryBudget(140_000, 5 * MINUTE);
    ReplayWindow old = new ReplayWindow(1000, 5 * MINUTE, 64 * 1024, budget);
    ReplayWindow young = new ReplayWindow(1000, 5 * MINUTE, 64 * 1024, budget);
    long t0 = 1_000_000;
    for (int i = 1; i <= 50; i++) {
      old.add(i, frame(i, 1000), t0 + i);
    }
    long t1 = t0 + 60_000;
    for (int i = 51; i <= 100; i++) {
      young.add(i, frame(i, 1000), t1 + i);
    }
    long heldBefore = budget.replayBytes();
    assertThat(budget.used()).isEqualTo(2 * 67_072L);
    // the sweep tightens the horizon tick by tick; each tick sheds every window to the cutoff
    long now = t1 + 1000;
    int ticks = 0;
    while (ticks < 20 && budget.used() > 140_000 * MemoryBudget.HIGH_WATER) {
      ticks++;
      long cutoff = budget.adjust(now);
      if (cutoff > 0) {
        old.shed(cutoff, now);
        young.shed(cutoff, now);
      }
    }
    // the first pass (horizon half of maxAge) sheds nothing but learns the oldest frame's age; the second cuts at
    // half of that age
    assertThat(ticks).isEqualTo(2);
    assertThat(old.size()).isZero();
    assertThat(old.bytesHeld()).isZero();
    assertThat(young.size()).isEqualTo(50);
    assertThat(young.replay(51, 100, now).frames()).hasSize(50);
    assertThat(old.replay(1, 50, now).tooOld()).isTrue();
    assertThat(budget.replayBytes()).isLessThan(heldBefore);
    assertThat(budget.evictedBytes()).isEqualTo(50_000);
    // below the low-water mark the horizon relaxes back to none
    for (int tick = 0; tick < 40 && budget.evictBeforeMs() != 0; tick++) {
      budget.adjust(now);
    }
    assertThat(budget.evictBeforeMs()).isZero();
  }

  @Test
  void aWindowAddingUnderPressureDropsFramesOlderThanTheCutoff() {
    // 9 frames of 1000 bytes: a 16 KiB ring and a 16-slot index, 16,768 bytes, above 90 % of 17,000
    MemoryBudget budget = new MemoryBudget(17_000, 5 * MINUTE);
    ReplayWindow w = new ReplayWindow(1000, 5 * MINUTE, 64 * 1024, budget);
    long t0 = 1_700_000_000_000L;
    for (int i = 1; i <= 9; i++) {
      w.add(i, frame(i, 1000), t0 + i * 1000L);
    }
    long now = t0 + 10_000;
    assertThat(budget.adjust(now)).isEqualTo(now - 150_000);
    // the horizon is half of maxAge: nothing is that old yet
    assertThat(w.size()).isEqualTo(9);
    long cutoff = 0;
    for (int tick = 0; tick < 30 && cutoff < t0 + 5_000; tick++) {
      cutoff = budget.adjust(now);
    }
    assertThat(cutoff).isBetween(t0 + 5_000, t0 + 10_000);
    w.add(10, frame(10, 500), now);
    assertThat(w.replay(1, 10, now).tooOld()).isTrue();
    assertThat(w.replay(10, 10, now).frames()).hasSize(1);
    assertThat(w.replay(9, 9, now).frames()).hasSize(1);
  }

  @Test
  void transactionsAreRefusedOnlyWhenTheyAloneFillTheBudget() {
    MemoryBudget budget = new MemoryBudget(8 * MemoryBudget.TX_COST_BYTES + 100, 5 * MINUTE);
    ReplayWindow w = new ReplayWindow(1000, 5 * MINUTE, 64 * 1024, budget);
    w.add(1, frame(1, 3000), 0);
    assertThat(w.bytesHeld()).isEqualTo(4288);
    // replay bytes are evictable: they do not refuse a transaction (the total may pass the budget until the sweep
    // sheds them), and they grow no further while the total is over
    for (int i = 0; i < 8; i++) {
      assertThat(budget.startTransaction()).isTrue();
    }
    assertThat(budget.startTransaction()).isFalse();
    assertThat(budget.refusedTransactions()).isEqualTo(1);
    assertThat(budget.reserveReplay(1)).isFalse();
    budget.endTransaction();
    assertThat(budget.startTransaction()).isTrue();
  }

  @Test
  void replayAnswersAreBoundedInBytesAndSayWhereTheyStopped() {
    ReplayWindow w = new ReplayWindow(1000, 5 * MINUTE, 1 << 20);
    for (int i = 1; i <= 10; i++) {
      w.add(i, frame(i, 1000), 0);
    }
    ReplayWindow.Replay first = w.replay(1, 10, 0, 3500);
    assertThat(first.frames()).hasSize(3);
    assertThat(first.seqs()).containsExactly(1L, 2L, 3L);
    assertThat(first.nextSeq()).isEqualTo(4);
    ReplayWindow.Replay rest = w.replay(first.nextSeq(), 10, 0, 1 << 20);
    assertThat(rest.complete()).isTrue();
    assertThat(rest.frames()).hasSize(7);
    // a frame larger than the bound still goes alone, so the client always makes progress
    ReplayWindow.Replay one = w.replay(5, 10, 0, 10);
    assertThat(one.frames()).hasSize(1);
    assertThat(one.nextSeq()).isEqualTo(6);
  }
}
