package io.switchboard.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.auth.AuthRefusal.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of the JWT claim mapping and the token header check: random and mutated claims and tokens never make
 * them throw, every outcome is an identity or a refusal (never both), and every refusal carries one of the documented
 * reason codes and a message.
 */
class ClaimMappingProperties {
  static final long NOW = 1_800_000_000L;
  static final ClaimRules RULES = new ClaimRules("https://issuer.test", List.of("switchboard"), 30, "roles",
      "tools_offer", "tools_call", "tools_watch");
  static final List<String> KEYS = List.of("exp", "nbf", "iss", "aud", "sub", "roles", "tools_offer", "tools_call",
      "tools_watch", "other");
  static final Set<String> CODES = Set.copyOf(Arrays.stream(Reason.values()).map(Enum::name).toList());

  static JsonObject valid() {
    return new JsonObject().put("sub", "agent-7").put("iss", "https://issuer.test").put("aud", "switchboard")
        .put("exp", NOW + 300).put("roles", new JsonArray().add("agent").add("client"))
        .put("tools_offer", new JsonArray().add("weather.*")).put("tools_call", "echo weather.now");
  }

  static void checkOutcome(ClaimMapping.Outcome o) {
    assertThat(o.ok()).isEqualTo(o.refusal() == null);
    if (o.ok()) {
      assertThat(o.identity().roles()).isNotEmpty();
      assertThat(o.identity().subject()).isNotBlank();
    } else {
      assertThat(o.identity()).isNull();
      assertThat(CODES).contains(o.refusal().code());
      assertThat(o.refusal().message()).isNotBlank();
      assertThat(o.refusal().describe()).startsWith(o.refusal().code() + ": ");
    }
  }

  @Provide
  Arbitrary<Object> jsonValues() {
    Arbitrary<Object> leaves = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
        Arbitraries.of("client", "agent", "monitor", "admin", "*", "weather.*", "", " ", "switchboard",
            "https://issuer.test").map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.longs().between(NOW - 1000, NOW + 1000).map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.just(null));
    Arbitrary<Object> arrays = leaves.list().ofMaxSize(6).map(l -> (Object) new JsonArray(l));
    Arbitrary<Object> objects = Combinators.combine(Arbitraries.of(KEYS), leaves).as((k, v) -> (Object) new JsonObject()
        .put(k, v));
    return Arbitraries.frequencyOf(
        Tuple.of(6, leaves), Tuple.of(3, arrays), Tuple.of(1, objects));
  }

  @Property(tries = 2000)
  void randomClaimsNeverThrowAndEveryRefusalHasItsCode(
      @ForAll("claimSets") JsonObject claims, @ForAll("nows") long now) {
    checkOutcome(ClaimMapping.map(claims, RULES, now));
  }

  @Provide
  Arbitrary<JsonObject> claimSets() {
    return Combinators.combine(Arbitraries.of(KEYS), jsonValues()).as((k, v) -> new Object[] {k, v}).list().ofMaxSize(12)
        .map(pairs -> {
          JsonObject o = new JsonObject();
          pairs.forEach(p -> o.put((String) p[0], p[1]));
          return o;
        });
  }

  @Provide
  Arbitrary<Long> nows() {
    return Arbitraries.oneOf(Arbitraries.just(NOW), Arbitraries.longs().between(0, 4_000_000_000L));
  }

  @Property(tries = 2000)
  void mutatedValidClaimsNeverThrowAndEveryRefusalHasItsCode(
      @ForAll("mutationKeys") List<String> removed, @ForAll("mutationKeys") List<String> replacedKeys,
      @ForAll("jsonValues") Object replacement) {
    JsonObject claims = valid();
    removed.forEach(claims::remove);
    replacedKeys.forEach(k -> claims.put(k, replacement));
    ClaimMapping.Outcome o = ClaimMapping.map(claims, RULES, NOW);
    checkOutcome(o);
    boolean requiredGone = List.of("exp", "sub", "roles").stream()
        .anyMatch(k -> removed.contains(k) && !replacedKeys.contains(k));
    if (requiredGone) {
      assertThat(o.ok()).isFalse();
    }
    if (removed.isEmpty() && replacedKeys.isEmpty()) {
      assertThat(o.ok()).isTrue();
    }
  }

  @Provide
  Arbitrary<List<String>> mutationKeys() {
    return Arbitraries.of(KEYS).list().ofMaxSize(3);
  }

  @Example
  void theValidClaimsMapToTheirIdentity() {
    ClaimMapping.Outcome o = ClaimMapping.map(valid(), RULES, NOW);
    assertThat(o.ok()).isTrue();
    Identity id = o.identity();
    assertThat(id.mayOffer("weather.now")).isTrue();
    assertThat(id.mayOffer("db.drop")).isFalse();
    assertThat(id.mayCall("echo")).isTrue();
    assertThat(id.mayCall("db.drop")).isFalse();
  }

  @Property(tries = 2000)
  void randomAndMutatedTokensNeverThrowInTheHeaderCheck(@ForAll("tokens") String token) {
    AuthRefusal r = JwtHeader.check(token, Set.of("HS256", "RS256"));
    if (r != null) {
      assertThat(CODES).contains(r.code());
      assertThat(r.message()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> tokens() {
    String header = b64(new JsonObject().put("alg", "HS256").encode());
    String body = b64(valid().encode());
    Arbitrary<String> mutated = Combinators.combine(Arbitraries.integers().between(0, 200),
        Arbitraries.chars().ascii(), Arbitraries.of("HS256", "none", "NONE", "RS512", "", "\u0000"))
        .as((pos, c, alg) -> {
          String t = b64(new JsonObject().put("alg", alg).encode()) + "." + body + ".sig";
          int i = Math.min(pos, t.length() - 1);
          return t.substring(0, i) + c + t.substring(i + 1);
        });
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(300), mutated,
        Arbitraries.strings().withChars("ab.=-_").ofMaxLength(20), Arbitraries.just(header + "." + body + "."));
  }

  @Property(tries = 1000)
  void toolPatternsMatchTheirOwnNamesAndStarMatchesAll(@ForAll("names") String name) {
    assertThat(new ToolPatterns(List.of(name)).allows(name)).isTrue();
    assertThat(ToolPatterns.ALL.allows(name)).isTrue();
    assertThat(new ToolPatterns(List.of(name.substring(0, name.length() / 2) + "*")).allows(name)).isTrue();
    assertThat(ToolPatterns.NONE.allows(name)).isFalse();
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings().withChars("abcxyz.:_-*").ofMinLength(1).ofMaxLength(30);
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
