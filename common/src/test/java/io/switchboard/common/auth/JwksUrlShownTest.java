package io.switchboard.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The JWKS URL in a log line keeps no user info and no query, either of which may carry a secret. */
class JwksUrlShownTest {
  @Test
  void userInfoAndQueryAreLeftOut() {
    assertThat(JwtVerifier.shown("https://user:pa55@idp.example:8443/keys/jwks.json?api_key=s3cret"))
        .isEqualTo("https://idp.example:8443/keys/jwks.json");
    assertThat(JwtVerifier.shown("http://127.0.0.1/jwks")).isEqualTo("http://127.0.0.1/jwks");
    assertThat(JwtVerifier.shown("not a url with spaces ?token=abc")).doesNotContain("abc");
  }
}
