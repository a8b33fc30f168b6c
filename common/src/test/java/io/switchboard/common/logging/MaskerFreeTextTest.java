package io.switchboard.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secrets inside free text (client strings such as a HAI {@code platform}, error messages, header dumps): each row is
 * a line, the secret that must not survive, and what must be left readable.
 */
class MaskerFreeTextTest {
  private final Masker masker = Masker.defaults();

  static Stream<Arguments> lines() {
    return Stream.of(
        // name=value in a client string, whatever character precedes the name
        row("agent-sdk/1.2 token=tk-1 os=linux", "tk-1", "agent-sdk/1.2 token=**** os=linux"),
        row("sdk/1.0|token=tk-2 x", "tk-2", "sdk/1.0|token=**** x"),
        row("sdk/1.0:password=pw-3", "pw-3", "sdk/1.0:password=****"),
        row("\"secret=sc-4\"", "sc-4", "\"secret=****\""),
        row("cfg.api_key=ak-5 rest", "ak-5", "cfg.api_key=**** rest"),
        row("X-API-KEY=ak-6", "ak-6", "X-API-KEY=****"),
        // spaces around the sign
        row("login failed: password = pw-7 for bob", "pw-7", "login failed: password = **** for bob"),
        row("token :tk-8", "tk-8", "token :****"),
        // quoted values, with spaces inside
        row("password=\"pw 9 with spaces\" next", "pw 9 with spaces", "password=\"****\" next"),
        row("secret='sc 10' next", "sc 10", "secret='****' next"),
        row("token: \"tk 11\"", "tk 11", "token: \"****\""),
        // a scheme before the credential
        row("authorization=Bearer ey.J12 ok", "ey.J12", "authorization=Bearer **** ok"),
        row("Authorization: Basic dXNlcjpwYXNz13 ok", "dXNlcjpwYXNz13", "Authorization: Basic **** ok"),
        // error messages that carry a map or a URL
        row("connect failed {user=bob, password=pw-14}", "pw-14", "connect failed {user=bob, password=****}"),
        row("GET https://h/x?a=1&access_token=tk-15 failed", "tk-15", "GET https://h/x?a=1&access_token=**** failed"),
        // cookies: every value, whatever its name
        row("Cookie: sid=ck-16; theme=dark17", "ck-16", "Cookie: sid=****; theme=****"),
        row("set-cookie: sid=ck-18; Path=/; HttpOnly", "ck-18", "set-cookie: sid=****; Path=****; HttpOnly"),
        row("{\"Cookie\":\"sid=ck-19\"}", "ck-19", "{\"Cookie\":\"****\"}"),
        row("headers: Cookie: a=ck-20; b=ck-21; Accept: */*", "ck-2", "headers: Cookie: a=****; b=****; Accept: */*"),
        // innocent text stays
        row("node=vm-1 keyboard layout, 5 tokens used", null, "node=vm-1 keyboard layout, 5 tokens used"));
  }

  private static Arguments row(String in, String secret, String expected) {
    return Arguments.of(in, secret, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lines")
  void masks(String in, String secret, String expected) {
    String out = masker.mask(in);
    if (secret != null) {
      assertThat(out).doesNotContain(secret);
    }
    assertThat(out).isEqualTo(expected);
  }

  /** The patterns for quoted values, spaces around the sign and cookies stay linear in the line's length. */
  @Test
  void hostileFreeTextIsMaskedInLinearTime() {
    List<String> lines = List.of(
        "token='".repeat(20_000),
        "token=\"a ".repeat(20_000),
        "token " + " ".repeat(30_000) + "=" + " ".repeat(30_000),
        "Cookie: " + "a=".repeat(30_000),
        "cookie:".repeat(20_000),
        "set-cookie: " + "=;".repeat(30_000));
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> lines.forEach(masker::mask));
  }
}
