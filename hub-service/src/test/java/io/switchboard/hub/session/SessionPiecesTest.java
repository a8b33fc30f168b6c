package io.switchboard.hub.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.common.auth.AccessRole;
import io.switchboard.common.auth.AuthSettings;
import io.switchboard.common.auth.Authority;
import io.switchboard.common.auth.ClaimRules;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionPiecesTest {
  static final long S = 1_000_000_000L;

  @Test
  void rateLimiterAllowsABurstThenRefusesThenCloses() {
    RateLimiter r = new RateLimiter(10, 5, 0);
    for (int i = 0; i < 10; i++) {
      assertThat(r.acquire(1)).isEqualTo(RateLimiter.Decision.ALLOW);
    }
    for (int i = 0; i < 4; i++) {
      assertThat(r.acquire(2)).isEqualTo(RateLimiter.Decision.REFUSE);
    }
    assertThat(r.acquire(3)).isEqualTo(RateLimiter.Decision.CLOSE);
  }

  @Test
  void rateLimiterRefillsAtItsRate() {
    RateLimiter r = new RateLimiter(10, 1000, 0);
    for (int i = 0; i < 10; i++) {
      r.acquire(0);
    }
    assertThat(r.acquire(0)).isEqualTo(RateLimiter.Decision.REFUSE);
    assertThat(r.acquire(S / 10)).isEqualTo(RateLimiter.Decision.ALLOW);
    assertThat(r.acquire(S / 10)).isEqualTo(RateLimiter.Decision.REFUSE);
    // Refusals spread over seconds never reach closeAfter.
    RateLimiter slow = new RateLimiter(1, 3, 0);
    slow.acquire(0);
    assertThat(slow.acquire(1)).isEqualTo(RateLimiter.Decision.REFUSE);
    assertThat(slow.acquire(2)).isEqualTo(RateLimiter.Decision.REFUSE);
    assertThat(slow.acquire(S + 2)).isEqualTo(RateLimiter.Decision.ALLOW);
    assertThat(slow.acquire(S + 3)).isEqualTo(RateLimiter.Decision.REFUSE);
  }

  @Test
  void replayWindowKeepsTheLastFramesAndSaysTooOld() {
    ReplayWindow w = new ReplayWindow(3, 60_000, 1 << 20);
    for (long seq = 10; seq <= 15; seq++) {
      w.add(seq, "f" + seq, 0);
    }
    assertThat(w.size()).isEqualTo(3);
    assertThat(w.replay(13, Long.MAX_VALUE, 0).frames()).containsExactly("f13", "f14", "f15");
    assertThat(w.replay(14, 14, 0).frames()).containsExactly("f14");
    assertThat(w.replay(12, Long.MAX_VALUE, 0).tooOld()).isTrue();
    assertThat(w.replay(16, 20, 0).frames()).isEmpty();
  }

  @Test
  void replayWindowDropsFramesByAge() {
    ReplayWindow w = new ReplayWindow(1000, 100, 1 << 20);
    w.add(1, "a", 0);
    w.add(2, "b", 50);
    assertThat(w.replay(1, 2, 120).tooOld()).isTrue();
    assertThat(w.replay(2, 2, 120).frames()).containsExactly("b");
    assertThat(w.replay(2, 2, 500).tooOld()).isTrue();
  }

  @Test
  void replayWindowGrowsPastItsInitialCapacity() {
    ReplayWindow w = new ReplayWindow(100, 60_000, 1 << 20);
    for (int i = 1; i <= 50; i++) {
      w.add(i, "f" + i, 0);
    }
    assertThat(w.replay(1, 50, 0).frames()).hasSize(50).startsWith("f1").endsWith("f50");
  }

  @Test
  void replayWindowKeepsNoMoreThanMaxBytesAndSaysTooOldBelowThem() {
    ReplayWindow w = new ReplayWindow(1000, 60_000, 100);
    for (int i = 1; i <= 30; i++) {
      w.add(i, "frame-" + String.format("%03d", i), 0); // 9 bytes each: 11 fit in 100
    }
    assertThat(w.bytesKept()).isLessThanOrEqualTo(100);
    assertThat(w.size()).isEqualTo(11);
    assertThat(w.replay(20, 30, 0).frames()).hasSize(11).startsWith("frame-020").endsWith("frame-030");
    assertThat(w.replay(19, 30, 0).tooOld()).isTrue();
    // a frame larger than the whole budget is not kept, and nothing before it can be replayed
    w.add(31, "x".repeat(101), 0);
    assertThat(w.size()).isZero();
    assertThat(w.replay(31, 31, 0).tooOld()).isTrue();
    w.add(32, "after", 0);
    assertThat(w.replay(32, 32, 0).frames()).containsExactly("after");
  }

  @Test
  void replayWindowKeepsMultiByteTextExactlyAcrossTheRingsWrapAndGrowth() {
    ReplayWindow w = new ReplayWindow(5, 60_000, 1 << 20);
    List<String> sent = new ArrayList<>();
    Random rnd = new Random(42);
    for (int i = 1; i <= 400; i++) {
      String t = "{\"seq\":\"" + i + "\",\"text\":\"" + "é€😀a".repeat(rnd.nextInt(200)) + "\"}";
      sent.add(t);
      w.add(i, t, 0);
      int from = Math.max(1, i - 4);
      assertThat(w.replay(from, i, 0).frames()).containsExactlyElementsOf(sent.subList(from - 1, i));
    }
  }

  @Test
  void flowCreditGrantsEveryHalfOfTheInitialCredit() {
    FlowCredit c = new FlowCredit(10);
    for (int i = 0; i < 4; i++) {
      assertThat(c.consumed(0, 100)).isNull();
    }
    FlowCredit.Grant g = c.consumed(0, 100);
    assertThat(g).isEqualTo(new FlowCredit.Grant(0, 5, 500));
    assertThat(c.consumed(1, 1)).isNull();
    assertThat(c.consumed(-1, 1)).isNull();
  }

  @Test
  void messageSizeGuardSumsFragments() {
    MessageSizeGuard g = new MessageSizeGuard(100);
    assertThat(g.add(true, 60)).isTrue();
    assertThat(g.add(false, 40)).isTrue();
    assertThat(g.add(false, 1)).isFalse();
    assertThat(g.add(true, 100)).isTrue();
    assertThat(g.add(true, 101)).isFalse();
  }

  @Test
  void staticTokenModeKeepsItsMeaning() {
    Authority open = authority(List.of(), List.of());
    assertThat(outcome(open, new JsonObject()).identity().has(AccessRole.AGENT)).isTrue();

    Authority tokens = authority(List.of("c1"), List.of("a1"));
    assertThat(outcome(tokens, new JsonObject()).ok()).isFalse();
    assertThat(outcome(tokens, new JsonObject().put("auth", new JsonObject().put("token", "x"))).ok()).isFalse();
    Authority.Outcome client = outcome(tokens, new JsonObject().put("auth", new JsonObject().put("token", "Bearer c1")));
    assertThat(client.ok()).isTrue();
    assertThat(client.identity().has(AccessRole.AGENT)).isFalse();
    Authority.Outcome agent = outcome(tokens, new JsonObject().put("auth", "Bearer a1"));
    assertThat(agent.ok()).isTrue();
    assertThat(agent.identity().has(AccessRole.AGENT)).isTrue();

    Authority agentsOnly = authority(List.of(), List.of("a1"));
    assertThat(outcome(agentsOnly, new JsonObject()).identity().has(AccessRole.AGENT)).isFalse();
    assertThat(outcome(agentsOnly, new JsonObject().put("auth", new JsonObject().put("Authorization", "Bearer a1")))
        .identity().has(AccessRole.AGENT)).isTrue();
  }

  private static Authority authority(List<String> clientTokens, List<String> agentTokens) {
    return new Authority(null, new AuthSettings(clientTokens, agentTokens, List.of(), "", "", "RS256", "", 60_000,
        new ClaimRules("", List.of(), 30, "roles", "tools_offer", "tools_call", "tools_watch"), false, 0),
        new SimpleMeterRegistry());
  }

  private static Authority.Outcome outcome(Authority a, JsonObject hai) {
    return a.authenticate(HaiCredential.of(hai.getValue("auth"))).result();
  }

}
