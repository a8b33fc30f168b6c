package io.switchboard.common.cluster;

import static io.switchboard.common.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes contend for one {@link FencedLeadership}. What Hazelcast does to a member it drops is done by
 * hand (the lock freed behind the holder's back, the member id changed), and the test reads what each replica sees.
 */
class FencedLeadershipTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode a;
  static SwitchboardNode b;

  /** One contender: its leadership, run on its own context, and what it was told. */
  static final class Replica {
    final SwitchboardNode node;
    final Context ctx;
    final FencedLeadership leadership;
    final AtomicLong elected = new AtomicLong();
    final List<FencedLeadership.Loss> losses = new CopyOnWriteArrayList<>();
    volatile String memberId;

    Replica(SwitchboardNode node, FencedLeadership.Settings settings) {
      this.node = node;
      this.ctx = node.context().vertx().getOrCreateContext();
      this.memberId = node.context().memberId();
      this.leadership = onContext(() -> new FencedLeadership(node.context().vertx(), settings, () -> memberId, e -> {
        elected.set(e);
        return Future.succeededFuture();
      }, losses::add));
      await(onContextF(leadership::start));
    }

    <T> T onContext(Supplier<T> s) {
      return await(onContextF(() -> Future.succeededFuture(s.get())));
    }

    <T> Future<T> onContextF(Supplier<Future<T>> s) {
      Promise<T> p = Promise.promise();
      ctx.runOnContext(v -> s.get().onComplete(p));
      return p.future();
    }

    boolean leading() {
      return onContext(leadership::leading);
    }

    boolean check() {
      return await(onContextF(leadership::check));
    }
  }

  @BeforeAll
  static void start() {
    cluster = new TestNodes.Cluster();
    a = cluster.start("lead-a", List.of(), Map.of());
    b = cluster.start("lead-b", List.of(), Map.of());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static FencedLeadership.Settings settings(String name) {
    return new FencedLeadership.Settings(name, "test.lock." + name, "test.epoch." + name, 50, 100);
  }

  private static boolean locked(String lock) {
    return a.context().clusterManager().getHazelcastInstance().getMap("__vertx.map.lock").isLocked(lock);
  }

  private static void freeBehindItsBack(String lock) {
    a.context().clusterManager().getHazelcastInstance().getMap("__vertx.map.lock").forceUnlock(lock);
  }

  @Test
  void aLeaderWhoseLockWasTakenStopsAndNeverFreesTheNewHoldersLock() {
    FencedLeadership.Settings s = settings("superseded");
    Replica first = new Replica(a, s);
    Await.waitFor(Await.WAIT, first::leading, "the only contender leads");
    Replica second = new Replica(b, s);
    assertThat(first.check()).isTrue();
    assertThat(second.leading()).isFalse();
    long firstEpoch = first.elected.get();

    freeBehindItsBack(s.lockName());
    Await.waitFor(Await.WAIT, second::leading, "the standby takes the freed lock");
    assertThat(second.elected.get()).isGreaterThan(firstEpoch);

    assertThat(first.check()).as("the old leader sees the epoch moved").isFalse();
    assertThat(first.losses).containsExactly(FencedLeadership.Loss.SUPERSEDED);
    assertThat(locked(s.lockName())).as("the new leader's lock is still held").isTrue();
    assertThat(second.check()).isTrue();
    assertThat(first.leading()).isFalse();
    await(second.onContextF(second.leadership::stop));
    await(first.onContextF(first.leadership::stop));
  }

  @Test
  void aLeaderWhoseMemberIdChangedStopsWithoutReleasing() {
    FencedLeadership.Settings s = settings("merged");
    Replica only = new Replica(a, s);
    Await.waitFor(Await.WAIT, only::leading, "the only contender leads");
    only.memberId = "merged-back-" + only.memberId;
    assertThat(only.check()).isFalse();
    assertThat(only.losses).containsExactly(FencedLeadership.Loss.MEMBER_CHANGED);
    assertThat(locked(s.lockName())).as("a lock believed lost is left for the cluster to free, not released").isTrue();
    await(only.onContextF(only.leadership::stop));
  }

  @Test
  void aLostEpochEntryIsRecreatedAndALowerValueIsPutBack() {
    FencedLeadership.Settings s = settings("lost-epoch");
    Replica only = new Replica(a, s);
    Await.waitFor(Await.WAIT, only::leading, "the only contender leads");
    long epoch = only.elected.get();
    var counters = a.context().clusterManager().getHazelcastInstance().<String, Long>getMap("__vertx.map.counter");
    counters.remove(s.epochName());
    assertThat(only.check()).isTrue();
    assertThat(counters.get(s.epochName())).isEqualTo(epoch);
    counters.put(s.epochName(), 0L);
    assertThat(only.check()).isTrue();
    assertThat(counters.get(s.epochName())).isEqualTo(epoch);
    await(only.onContextF(only.leadership::stop));
    // Vert.x releases on a worker thread: the lock is free soon after the stop, not at once
    Await.waitFor(Await.WAIT, () -> !locked(s.lockName()), "a graceful stop releases a lock still held");
    assertThat(only.losses).containsExactly(FencedLeadership.Loss.STOPPED);
  }
}
