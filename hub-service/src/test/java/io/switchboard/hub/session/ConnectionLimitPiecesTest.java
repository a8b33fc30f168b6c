package io.switchboard.hub.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pure parts of the connection limits: pending-handshake counts and the UTF-8 check. */
class ConnectionLimitPiecesTest {
  @Test
  void pendingHandshakesAreCappedPerAddressAndPerNode() {
    PendingHandshakes p = new PendingHandshakes(3, 2);
    PendingHandshakes.Result a1 = p.tryAcquire("a");
    PendingHandshakes.Result a2 = p.tryAcquire("a");
    assertThat(a1.slot()).isNotNull();
    assertThat(a2.slot()).isNotNull();
    assertThat(p.tryAcquire("a").refusal()).isEqualTo(PendingHandshakes.Refusal.ADDRESS);
    assertThat(p.tryAcquire("b").slot()).isNotNull();
    assertThat(p.tryAcquire("c").refusal()).isEqualTo(PendingHandshakes.Refusal.NODE);
    assertThat(p.total()).isEqualTo(3);
    // a slot goes back once, however often it is released
    a1.slot().release();
    a1.slot().release();
    assertThat(p.total()).isEqualTo(2);
    assertThat(p.fromAddress("a")).isEqualTo(1);
    assertThat(p.tryAcquire("c").slot()).isNotNull();
    a2.slot().release();
    assertThat(p.fromAddress("a")).isZero();
  }

  @Test
  void utf8IsCheckedStrictlyOnlyWhenDecodingReplacedSomething() {
    assertThat(Utf8.replaced("plain ascii and é")).isFalse();
    assertThat(Utf8.replaced("a real \uFFFD")).isTrue();
    assertThat(Utf8.valid(Buffer.buffer("a real \uFFFD, é, \uD83D\uDE00"))).isTrue();
    byte[] bad = "ab".getBytes(StandardCharsets.UTF_8);
    bad[1] = (byte) 0xC3;
    assertThat(Utf8.valid(bad)).isFalse();
    assertThat(Utf8.replaced(new String(bad, StandardCharsets.UTF_8))).isTrue();
    // overlong '/' and an encoded surrogate are not UTF-8
    assertThat(Utf8.valid(new byte[] {(byte) 0xC0, (byte) 0xAF})).isFalse();
    assertThat(Utf8.valid(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})).isFalse();
  }
}
