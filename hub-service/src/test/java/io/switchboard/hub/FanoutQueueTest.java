package io.switchboard.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a lagging event loop does with the frames piled up for its /ws sockets (docs/monitor.md, Limits and
 * liveness): every frame reaches every socket in relay order, and each socket is flushed once per batch, not once
 * per frame. On a real Vert.x event loop, held busy while the frames are handed over.
 */
class FanoutQueueTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.await(vertx.close());
  }

  /** A socket that records what it is given, and how often it is flushed (the loop only). */
  static final class Recorder implements FanoutQueue.Socket {
    final List<String> offered = Collections.synchronizedList(new ArrayList<>());
    volatile int flushes;

    @Override
    public boolean offer(SharedFrame frame) {
      offered.add(frame.text());
      return true;
    }

    @Override
    public void flush() {
      flushes++;
    }
  }

  /** Hands {@code frames} frames to both sockets while the loop is busy, then lets it go; waits until they arrived. */
  private static void relayWhileBusy(int frames, Recorder a, Recorder b) throws Exception {
    Context loop = vertx.getOrCreateContext();
    FanoutQueue q = new FanoutQueue(loop);
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop.runOnContext(v -> {
      busy.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < frames; i++) {
      q.add(new SharedFrame("f" + i, null), new FanoutQueue.Socket[] {a, b});
    }
    release.countDown();
    Await.waitFor(Duration.ofSeconds(30), () -> a.offered.size() == frames && b.offered.size() == frames,
        "every frame reaches both sockets");
    // the task that wrote the last frame flushes before the loop runs this one
    CountDownLatch after = new CountDownLatch(1);
    loop.runOnContext(v -> after.countDown());
    assertThat(after.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void framesPiledUpForALaggingLoopGoOutInOrderWithOneFlushPerSocket() throws Exception {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    relayWhileBusy(100, a, b);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.add("f" + i);
    }
    assertThat(a.offered).containsExactlyElementsOf(expected);
    assertThat(b.offered).containsExactlyElementsOf(expected);
    assertThat(a.flushes).isEqualTo(1);
    assertThat(b.flushes).isEqualTo(1);
  }

  @Test
  void aBatchIsBoundedSoThatTheLoopTakesTurns() throws Exception {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    relayWhileBusy(FanoutQueue.BATCH_MAX + 1, a, b);
    assertThat(a.flushes).isEqualTo(2);
    assertThat(b.flushes).isEqualTo(2);
    assertThat(a.offered.get(FanoutQueue.BATCH_MAX)).isEqualTo("f" + FanoutQueue.BATCH_MAX);
  }
}
