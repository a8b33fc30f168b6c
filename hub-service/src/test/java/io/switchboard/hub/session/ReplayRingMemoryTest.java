package io.switchboard.hub.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replay rings live outside the Java heap, in direct memory (pooled in the node), and each window gives its ring back when it is
 * freed: closed, shed to empty, or refused by the budget. Nothing is left in use once every window has let go.
 */
class ReplayRingMemoryTest {
  static final long MINUTE = 60_000;

  /** Counts the direct bytes its buffers hold, to the byte, until each is released. */
  private final UnpooledByteBufAllocator rings = new UnpooledByteBufAllocator(true);

  private long direct() {
    return rings.metric().usedDirectMemory();
  }

  @Test
  void ringsAreDirectMemoryTheWindowsGiveBack() {
    long before = direct();
    MemoryBudget budget = new MemoryBudget(64L << 20, 5 * MINUTE);
    List<ReplayWindow> windows = new ArrayList<>();
    long seq = 0;
    for (int w = 0; w < 20; w++) {
      ReplayWindow win = new ReplayWindow(1000, 5 * MINUTE, 256 * 1024, budget, rings);
      windows.add(win);
      for (int i = 0; i < 300; i++) {
        win.add(++seq, MemoryBudgetTest.frame(i, 1_000), 1000 + seq);
      }
      ReplayWindow.Replay r = win.replay(seq, seq, 1000 + seq);
      assertThat(r.frames()).containsExactly(MemoryBudgetTest.frame(299, 1_000));
    }
    // 20 rings grown to 256 KiB each (300 frames of 1,000 bytes wrap around them): outside the heap
    assertThat(direct() - before).isGreaterThanOrEqualTo(20L * 256 * 1024);
    windows.get(0).shed(Long.MAX_VALUE, 1000 + seq);
    assertThat(windows.get(0).bytesHeld()).isZero();
    windows.forEach(ReplayWindow::close);
    assertThat(budget.replayBytes()).isZero();
    assertThat(direct()).isEqualTo(before);
  }

  @Test
  void aFrameTheBudgetRefusesFreesTheRing() {
    long before = direct();
    MemoryBudget budget = new MemoryBudget(8 * 1024, 5 * MINUTE);
    ReplayWindow w = new ReplayWindow(1000, 5 * MINUTE, 64 * 1024, budget, rings);
    w.add(1, MemoryBudgetTest.frame(1, 1_000), 1000);
    assertThat(direct()).isGreaterThan(before);
    w.add(2, MemoryBudgetTest.frame(2, 20_000), 1001);
    assertThat(w.size()).isZero();
    assertThat(direct()).isEqualTo(before);
    w.close();
    assertThat(direct()).isEqualTo(before);
  }
}
