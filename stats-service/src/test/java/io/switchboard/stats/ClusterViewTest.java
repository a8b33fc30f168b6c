package io.switchboard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.stats.ClusterStats;
import io.switchboard.common.stats.LedgerEntry;
import io.switchboard.common.stats.NodeReport;
import io.switchboard.common.stats.Totals;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
  static final long T0 = 1_700_000_000_000L;
  static final StatsSettings SETTINGS = new StatsSettings(1_000, 10_000, 3, 300_000);

  @Test
  void totalsAreExactSumsOfCumulativeCountersWhateverHowManyReportsArrive() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0).connections(3, "client").messages(10, 100);
    SimNode b = new SimNode("b", T0).connections(2, "agent").messages(7, 100).executions(4, 1, 5_000);
    v.accept(a.report(T0 + 1000), T0 + 1000);
    v.accept(b.report(T0 + 1000), T0 + 1000);
    a.messages(5, 100);
    v.accept(a.report(T0 + 2000), T0 + 2000);
    v.accept(a.report(T0 + 2000), T0 + 2000); // a repeated cumulative report adds nothing
    v.accept(b.report(T0 + 2000), T0 + 2000);

    ClusterStats s = v.stats(T0 + 2000);
    assertThat(s.totalMessages()).isEqualTo(22);
    assertThat(s.messagesOut()).isEqualTo(22);
    assertThat(s.totalConnections()).isEqualTo(5);
    assertThat(s.activeConnections()).isEqualTo(5);
    assertThat(s.clientsConnected()).isEqualTo(3);
    assertThat(s.agentsConnected()).isEqualTo(2);
    assertThat(s.toolExecutions()).isEqualTo(new ClusterStats.ToolExecutions(5, 4, 1, 0, 0));
    assertThat(s.nodes()).isEqualTo(2);
    assertThat(s.nodesUp()).isEqualTo(2);
    assertThat(s.memoryUsage().heapUsed()).isEqualTo(100_000_000L);
    assertThat(s.perNode()).extracting(ClusterStats.PerNode::name).containsExactly("a", "b");
  }

  @Test
  void windowedFiguresComeFromDifferencesNotLifetime() {
    ClusterView v = new ClusterView(SETTINGS);
    // started an hour ago; its first hour was slow (200 ms) and error-prone
    SimNode a = new SimNode("a", T0 - 3_600_000).messages(1000, 200_000).errors(500, "INVALID_MESSAGE");
    v.accept(a.report(T0), T0);
    for (int i = 1; i <= 10; i++) {
      a.messages(20, 1_000); // 20 messages per second at 1 ms, no errors
      if (i == 10) {
        a.errors(2, "RATE_LIMITED");
      }
      v.accept(a.report(T0 + i * 1000L), T0 + i * 1000L);
    }
    ClusterStats s = v.stats(T0 + 10_000);
    assertThat(s.messagesInWindow()).isEqualTo(200);
    assertThat(s.framesInWindow()).isEqualTo(202);
    assertThat(s.errorsInWindow()).isEqualTo(2);
    assertThat(s.errorRate()).isEqualTo(2.0 / 202);
    assertThat(s.messagesPerSecond()).isEqualTo(20.0);
    assertThat(s.latency().p99()).isBetween(0.999, 1.002);
    assertThat(s.latency().max()).isBetween(0.999, 1.002);
    assertThat(s.averageLatency()).isBetween(0.999, 1.002);
    // lifetime figures stay in the totals only
    assertThat(s.totalMessages()).isEqualTo(1200);
    assertThat(s.errors()).isEqualTo(502);

    // traffic stops: one window later the window is empty and the rates are 0 (alerts can resolve)
    for (int i = 11; i <= 21; i++) {
      v.accept(a.report(T0 + i * 1000L), T0 + i * 1000L);
    }
    ClusterStats quiet = v.stats(T0 + 21_000);
    assertThat(quiet.messagesPerSecond()).isZero();
    assertThat(quiet.errorRate()).isZero();
    assertThat(quiet.latency()).isEqualTo(ClusterStats.Percentiles.ZERO);
    assertThat(quiet.totalMessages()).isEqualTo(1200);
  }

  @Test
  void executionWindowFailureRateAndDuration() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0 - 60_000).executions(100, 0, 900_000);
    v.accept(a.report(T0), T0);
    a.executions(3, 1, 20_000);
    v.accept(a.report(T0 + 10_000), T0 + 10_000);
    ClusterStats s = v.stats(T0 + 10_000);
    assertThat(s.executionsInWindow()).isEqualTo(new ClusterStats.ExecutionsInWindow(4, 1));
    assertThat(s.executionFailureRate()).isEqualTo(0.25);
    assertThat(s.executionDuration().max()).isBetween(19.99, 20.03);
    assertThat(s.toolExecutions().total()).isEqualTo(104);
  }

  @Test
  void aSilentNodeGoesStaleAndLeavesTheLiveGaugesButNotTheTotals() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0).connections(4, "client").messages(10, 50);
    SimNode b = new SimNode("b", T0).connections(6, "client").messages(5, 50);
    v.accept(a.report(T0 + 1000), T0 + 1000);
    v.accept(b.report(T0 + 1000), T0 + 1000);
    for (long t = T0 + 2000; t <= T0 + 5000; t += 1000) {
      v.accept(a.report(t), t); // b is silent from here
    }
    ClusterStats at3 = v.stats(T0 + 4000); // 3 intervals after b's last report: not yet stale
    assertThat(at3.nodesUp()).isEqualTo(2);
    ClusterStats s = v.stats(T0 + 4001);
    assertThat(s.nodes()).isEqualTo(2);
    assertThat(s.nodesUp()).isEqualTo(1);
    assertThat(s.activeConnections()).isEqualTo(4);
    assertThat(s.totalConnections()).isEqualTo(10);
    assertThat(s.totalMessages()).isEqualTo(15);
    assertThat(s.downNodes()).containsExactly(new ClusterStats.DownNode(b.nodeId, "b", T0 + 4000, "stale"));
    assertThat(s.perNode()).filteredOn(ClusterStats.PerNode::stale).extracting(ClusterStats.PerNode::name).containsExactly("b");
    assertThat(v.health(T0 + 4001).getBoolean("fresh")).isTrue();

    // it reports again: live again
    v.accept(b.report(T0 + 6000), T0 + 6000);
    assertThat(v.stats(T0 + 6000).downNodes()).isEmpty();
    assertThat(v.health(T0 + 6000 + 3001).getBoolean("fresh")).isFalse();
  }

  @Test
  void aNodeThatLeavesIsDroppedAtOnceAndItsContributionKept() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0).connections(1, "client").messages(10, 50);
    SimNode b = new SimNode("b", T0).connections(2, "client").messages(20, 50);
    SimNode c = new SimNode("c", T0).connections(3, "client").messages(30, 50);
    for (SimNode n : List.of(a, b, c)) {
      v.accept(n.report(T0 + 1000), T0 + 1000);
    }
    v.members(Set.of(a.memberId, b.memberId, c.memberId), T0 + 1000);
    v.accept(c.report(T0 + 1500, true), T0 + 1500); // c stops gracefully
    List<String> gone = v.members(Set.of(a.memberId), T0 + 1600); // b killed, c stopped
    assertThat(gone).containsExactlyInAnyOrder(b.nodeId, c.nodeId);
    ClusterStats s = v.stats(T0 + 1600);
    assertThat(s.nodes()).isEqualTo(1);
    assertThat(s.activeConnections()).isEqualTo(1);
    assertThat(s.totalMessages()).isEqualTo(60);
    assertThat(s.totalConnections()).isEqualTo(6);
    assertThat(s.downNodes()).containsExactly(new ClusterStats.DownNode(b.nodeId, "b", T0 + 1600, "left"));
    assertThat(s.perNode()).extracting(ClusterStats.PerNode::name).containsExactly("a");
  }

  @Test
  void aNewerReportOfADepartedNodeIdMakesItLiveAgain() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode b = new SimNode("b", T0).messages(20, 50);
    v.accept(b.report(T0 + 1000), T0 + 1000);
    v.members(Set.of(b.memberId), T0 + 1000);
    v.members(Set.of(), T0 + 1100); // a partition, as this replica saw it
    assertThat(v.stats(T0 + 1100).nodes()).isZero();
    b.messages(1, 50);
    assertThat(v.accept(b.report(T0 + 2000), T0 + 2000)).isTrue();
    ClusterStats s = v.stats(T0 + 2000);
    assertThat(s.nodes()).isEqualTo(1);
    assertThat(s.downNodes()).isEmpty();
    assertThat(s.totalMessages()).isEqualTo(21);
  }

  @Test
  void aStoppingNodeThatGoesQuietBeforeItsMemberLeavesIsNotDown() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0).messages(1, 50);
    SimNode b = new SimNode("b", T0).messages(20, 50);
    v.accept(a.report(T0 + 1000), T0 + 1000);
    v.accept(b.report(T0 + 1000, true), T0 + 1000); // b's last report: stopping
    v.members(Set.of(a.memberId, b.memberId), T0 + 1000);
    // b takes longer to leave the cluster than the staleness limit (a slow shutdown on a busy machine)
    for (long t = T0 + 2000; t <= T0 + 10_000; t += 1000) {
      v.accept(a.report(t), t);
      v.members(Set.of(a.memberId, b.memberId), t);
      ClusterStats s = v.stats(t);
      assertThat(s.downNodes()).as("at %d", t).isEmpty();
      assertThat(s.nodesUp()).isEqualTo(t > T0 + 4000 ? 1 : 2);
    }
    v.members(Set.of(a.memberId), T0 + 11_000);
    assertThat(v.stats(T0 + 11_000).downNodes()).isEmpty();
    assertThat(v.stats(T0 + 11_000).totalMessages()).isEqualTo(21);
  }

  @Test
  void aStoppingReportThatArrivesAfterTheMemberLeftMarksItStoppedAndDoesNotReviveIt() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0).messages(1, 50);
    SimNode b = new SimNode("b", T0).messages(20, 50);
    v.accept(a.report(T0 + 1000), T0 + 1000);
    v.accept(b.report(T0 + 1000), T0 + 1000);
    v.members(Set.of(a.memberId, b.memberId), T0 + 1000);
    // b stops gracefully, but this replica sees the member leave before b's stopping reports
    v.members(Set.of(a.memberId), T0 + 1500);
    assertThat(v.stats(T0 + 1500).downNodes()).extracting(ClusterStats.DownNode::reason).containsExactly("left");
    b.messages(2, 50);
    assertThat(v.accept(b.report(T0 + 1600, true), T0 + 1600)).isTrue();
    for (long t = T0 + 2000; t <= T0 + 20_000; t += 1000) {
      v.accept(a.report(t), t);
      ClusterStats s = v.stats(t);
      assertThat(s.downNodes()).as("at %d", t).isEmpty();
      assertThat(s.nodes()).isEqualTo(1);
      assertThat(s.totalMessages()).isEqualTo(23);
    }
  }

  @Test
  void aLateReportOfADepartedNodeIsIgnoredAndDownNodesExpire() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode b = new SimNode("b", T0).messages(20, 50);
    NodeReport first = b.report(T0 + 1000);
    NodeReport second = b.report(T0 + 2000);
    v.accept(second, T0 + 2000);
    v.members(Set.of(b.memberId), T0 + 2000);
    v.members(Set.of(), T0 + 2100);
    assertThat(v.accept(first, T0 + 2200)).isFalse();
    assertThat(v.stats(T0 + 2200).nodes()).isZero();
    assertThat(v.stats(T0 + 2100 + 300_000).downNodes()).hasSize(1);
    assertThat(v.stats(T0 + 2100 + 300_001).downNodes()).isEmpty();
    assertThat(v.stats(T0 + 2100 + 300_001).totalMessages()).isEqualTo(20);
  }

  @Test
  void aRestartUnderTheSameNameIsANewNodeAndClearsItsDownEntry() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode old = new SimNode("b", T0).messages(40, 50).connections(2, "client");
    v.accept(old.report(T0 + 1000), T0 + 1000);
    v.members(Set.of(old.memberId), T0 + 1000);
    v.members(Set.of(), T0 + 2000); // killed
    assertThat(v.stats(T0 + 2000).downNodes()).extracting(ClusterStats.DownNode::name).containsExactly("b");

    SimNode fresh = new SimNode("b", T0 + 3000).messages(5, 50).connections(1, "client");
    v.accept(fresh.report(T0 + 4000), T0 + 4000);
    ClusterStats s = v.stats(T0 + 4000);
    assertThat(s.downNodes()).isEmpty();
    assertThat(s.totalMessages()).isEqualTo(45);
    assertThat(s.totalConnections()).isEqualTo(3);
    assertThat(s.activeConnections()).isEqualTo(1);
    assertThat(s.nodes()).isEqualTo(1);
    assertThat(s.perNode()).extracting(ClusterStats.PerNode::nodeId).containsExactly(fresh.nodeId);
  }

  @Test
  void aRestartedStatsServiceStartsFromTheLedgerWithTheSameTotals() {
    ClusterView before = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0).messages(10, 50);
    SimNode b = new SimNode("b", T0).messages(20, 50);
    before.accept(a.report(T0 + 1000), T0 + 1000);
    before.accept(b.report(T0 + 1000), T0 + 1000);
    before.members(Set.of(a.memberId, b.memberId), T0 + 1000);
    before.members(Set.of(a.memberId), T0 + 1500);
    List<LedgerEntry> ledger = before.pendingWrites();
    long shown = before.stats(T0 + 1500).totalMessages();

    ClusterView after = new ClusterView(SETTINGS);
    after.mergeStored(ledger);
    assertThat(after.stats(T0 + 1600).totalMessages()).isEqualTo(shown).isEqualTo(30);
    a.messages(1, 50);
    after.accept(a.report(T0 + 2000), T0 + 2000);
    assertThat(after.stats(T0 + 2000).totalMessages()).isEqualTo(31);
    assertThat(after.stats(T0 + 2000).downNodes()).extracting(ClusterStats.DownNode::name).containsExactly("b");
  }

  @Test
  void entriesTheLedgerLostAreWrittenAgain() {
    ClusterView v = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0).messages(10, 50);
    SimNode b = new SimNode("b", T0).messages(20, 50);
    v.accept(a.report(T0 + 1000), T0 + 1000);
    v.accept(b.report(T0 + 1000), T0 + 1000);
    List<LedgerEntry> written = v.pendingWrites();
    written.forEach(v::written);
    assertThat(v.pendingWrites()).isEmpty();
    v.ledgerContent(written.stream().filter(e -> e.nodeId().equals(a.nodeId)).toList()); // b's entry was lost
    assertThat(v.pendingWrites()).extracting(LedgerEntry::nodeId).containsExactly(b.nodeId);
    assertThat(v.totals().messagesIn()).isEqualTo(30);
  }

  @Test
  void aNodeThatDiedWhileNoStatsServiceRanIsMarkedLeftFromTheLedger() {
    ClusterView before = new ClusterView(SETTINGS);
    SimNode a = new SimNode("a", T0).messages(10, 50);
    before.accept(a.report(T0 + 1000), T0 + 1000);
    ClusterView after = new ClusterView(SETTINGS);
    after.mergeStored(before.pendingWrites());
    assertThat(after.members(Set.of(), T0 + 2000)).isEmpty(); // too recent to judge
    assertThat(after.members(Set.of(), T0 + 5000)).containsExactly(a.nodeId);
    assertThat(after.stats(T0 + 5000).totalMessages()).isEqualTo(10);
    assertThat(after.pendingWrites()).extracting(LedgerEntry::state).containsExactly("left");
  }

  @Test
  void totalsNeverDecreaseAndReplicasAgree() {
    Random rnd = new Random(42);
    ClusterView r1 = new ClusterView(SETTINGS);
    ClusterView r2 = new ClusterView(SETTINGS);
    List<SimNode> live = new ArrayList<>();
    List<SimNode> all = new ArrayList<>();
    Set<String> members = new HashSet<>();
    long t = T0;
    Totals last = Totals.ZERO;
    int names = 0;
    for (int step = 0; step < 400; step++) {
      t += 250;
      int action = rnd.nextInt(20);
      if (live.isEmpty() || action == 0) {
        SimNode n = new SimNode("n" + (names++ % 4), t);
        live.add(n);
        all.add(n);
        members.add(n.memberId);
      } else if (action == 1 && live.size() > 1) {
        SimNode n = live.remove(rnd.nextInt(live.size()));
        if (rnd.nextBoolean()) { // graceful: a final report first (r2 may miss it, the ledger has it)
          NodeReport fin = n.report(t, true);
          r1.accept(fin, t);
          r1.pendingWrites().forEach(r2::written);
        }
        members.remove(n.memberId);
      } else if (action == 2) { // replicas exchange through the ledger
        List<LedgerEntry> w1 = r1.pendingWrites();
        List<LedgerEntry> w2 = r2.pendingWrites();
        w1.forEach(r2::written);
        w2.forEach(r1::written);
        w1.forEach(r1::written);
        w2.forEach(r2::written);
      }
      for (SimNode n : live) {
        n.messages(rnd.nextInt(5), 100 + rnd.nextInt(1000)).connections(rnd.nextInt(2), "client");
        NodeReport r = n.report(t);
        if (rnd.nextInt(10) > 0) {
          r1.accept(r, t);
        }
        if (rnd.nextInt(10) > 0) {
          r2.accept(r, t);
        }
      }
      r1.members(members, t);
      r2.members(members, t);
      Totals now = r1.totals();
      assertThat(now.messagesIn()).isGreaterThanOrEqualTo(last.messagesIn());
      assertThat(now.connections()).isGreaterThanOrEqualTo(last.connections());
      last = now;
    }
    // a final report from every live node, one exchange through the ledger: exact and equal
    t += 250;
    for (SimNode n : live) {
      NodeReport r = n.report(t);
      r1.accept(r, t);
      r2.accept(r, t);
    }
    List<LedgerEntry> w1 = r1.pendingWrites();
    List<LedgerEntry> w2 = r2.pendingWrites();
    w1.forEach(r2::written);
    w2.forEach(r1::written);
    long exact = all.stream().mapToLong(n -> n.counters.messagesInTotal()).sum();
    long departedExact = all.stream().filter(n -> !live.contains(n)).mapToLong(n -> n.counters.messagesInTotal()).sum();
    assertThat(departedExact).isPositive();
    ClusterStats s1 = r1.stats(t);
    ClusterStats s2 = r2.stats(t);
    // reports of departed nodes that both replicas missed cost at most what they counted after their last seen report
    assertThat(s1.totalMessages()).isEqualTo(s2.totalMessages()).isLessThanOrEqualTo(exact);
    assertThat(s1.totalConnections()).isEqualTo(s2.totalConnections());
    assertThat(s1.nodes()).isEqualTo(s2.nodes()).isEqualTo(live.size());
    assertThat(s1.downNodes()).isEqualTo(s2.downNodes());
  }

  @Test
  void theHealthViewCountsArePublishedUntilTheyAreOlderThanTheStalenessLimit() {
    ClusterView v = new ClusterView(SETTINGS);
    assertThat(v.stats(1_000).health()).isEqualTo(ClusterStats.Health.NONE);
    ClusterStats.Health h = new ClusterStats.Health(3, 1, 1);
    v.healthCounts(h, 10_000);
    assertThat(v.stats(10_000 + SETTINGS.staleMs()).health()).isEqualTo(h);
    assertThat(v.stats(10_000 + SETTINGS.staleMs()).toJson().getJsonObject("health").getInteger("membersNotReady"))
        .isEqualTo(1);
    assertThat(v.stats(10_001 + SETTINGS.staleMs()).health()).isEqualTo(ClusterStats.Health.NONE);
  }
}
