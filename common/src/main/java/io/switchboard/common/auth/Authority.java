package io.switchboard.common.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.auth.AuthRefusal.Reason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The node's one place that turns a credential into an {@link Identity} (docs/operations.md, Authentication): a
 * static admin, agent or client token (compared in constant time), or a JWT (signature by {@link JwtVerifier},
 * claims by {@link ClaimMapping} against the clock). Without a credential: refused when any credential is configured,
 * else the open identity (every role; no agent role when only agent tokens are configured). Each refusal is counted
 * in {@code switchboard_auth_refusals_total{reason}}. Any thread may call it.
 */
public final class Authority {
  /** An identity, or the refusal. */
  public record Outcome(Identity identity, AuthRefusal refusal) {
    public boolean ok() {
      return identity != null;
    }
  }

  private final AuthSettings settings;
  private final JwtVerifier jwt;
  private final LongSupplier nowSeconds;
  private final Map<Reason, Counter> refusals = new EnumMap<>(Reason.class);
  private final List<byte[]> adminTokens;
  private final List<byte[]> agentTokens;
  private final List<byte[]> clientTokens;

  public Authority(Vertx vertx, AuthSettings settings, MeterRegistry registry) {
    this(vertx, settings, registry, () -> System.currentTimeMillis() / 1000);
  }

  Authority(Vertx vertx, AuthSettings settings, MeterRegistry registry, LongSupplier nowSeconds) {
    this.settings = settings;
    this.nowSeconds = nowSeconds;
    this.jwt = settings.jwt() ? new JwtVerifier(vertx, settings) : null;
    this.adminTokens = bytes(settings.adminTokens());
    this.agentTokens = bytes(settings.agentTokens());
    this.clientTokens = bytes(settings.clientTokens());
    for (Reason r : Reason.values()) {
      refusals.put(r, Counter.builder("switchboard.auth.refusals").tag("reason", r.name())
          .description("Credentials refused, by reason").register(registry));
    }
  }

  /** Fetches the JWKS when one is configured (a failed first fetch is logged, not fatal). */
  public Future<Void> start() {
    return jwt == null ? Future.succeededFuture() : jwt.start();
  }

  public AuthSettings settings() {
    return settings;
  }

  /**
   * The identity of {@code credential} (a token, with or without "Bearer "; null or blank for none). Completes at
   * once for static tokens and for JWTs with configured keys; a JWKS fetch can delay it.
   */
  public Future<Outcome> authenticate(String credential) {
    String token = stripBearer(credential);
    if (token == null) {
      if (settings.required()) {
        return refused(new AuthRefusal(Reason.MISSING_CREDENTIAL, "a credential is required"));
      }
      return Future.succeededFuture(new Outcome(Identity.open(settings.agentTokens().isEmpty()), null));
    }
    Identity statik = staticToken(token);
    if (statik != null) {
      return Future.succeededFuture(new Outcome(statik, null));
    }
    if (jwt != null && JwtHeader.looksLikeJwt(token)) {
      return jwt.verify(token).transform(ar -> {
        if (ar.failed()) {
          AuthRefusal r = ar.cause() instanceof JwtVerifier.Refused f ? f.refusal
              : new AuthRefusal(Reason.BAD_SIGNATURE, "the token could not be verified");
          return refused(r);
        }
        ClaimMapping.Outcome o = ClaimMapping.map(ar.result(), settings.rules(), nowSeconds.getAsLong());
        return o.ok() ? Future.succeededFuture(new Outcome(o.identity(), null)) : refused(o.refusal());
      });
    }
    if (!settings.required()) {
      return Future.succeededFuture(new Outcome(Identity.open(settings.agentTokens().isEmpty()), null));
    }
    return refused(new AuthRefusal(jwt != null ? Reason.MALFORMED_TOKEN : Reason.UNKNOWN_TOKEN,
        jwt != null ? "the credential is neither a known token nor a JWT" : "the token is not one this node accepts"));
  }

  /** The credential of an HTTP request or WebSocket upgrade: its Authorization header, else its access_token parameter. */
  public static String credential(HttpServerRequest request) {
    String h = request.getHeader("Authorization");
    if (h != null && !h.isBlank()) {
      return h;
    }
    return request.getParam("access_token");
  }

  /** {@code value} without a leading "Bearer ", trimmed; null when nothing is left. */
  public static String stripBearer(String value) {
    if (value == null) {
      return null;
    }
    String raw = value.trim();
    if (raw.regionMatches(true, 0, "Bearer ", 0, 7)) {
      raw = raw.substring(7).trim();
    }
    return raw.isEmpty() ? null : raw;
  }

  private Future<Outcome> refused(AuthRefusal r) {
    refusals.get(r.reason()).increment();
    return Future.succeededFuture(new Outcome(null, r));
  }

  private Identity staticToken(String token) {
    byte[] t = token.getBytes(StandardCharsets.UTF_8);
    int admin = indexOf(adminTokens, t);
    if (admin >= 0) {
      return new Identity("token:admin#" + admin, EnumSet.allOf(AccessRole.class), ToolPatterns.ALL, ToolPatterns.ALL,
          ToolPatterns.ALL);
    }
    int agent = indexOf(agentTokens, t);
    if (agent >= 0) {
      return new Identity("token:agent#" + agent, EnumSet.of(AccessRole.CLIENT, AccessRole.AGENT, AccessRole.MONITOR),
          ToolPatterns.ALL, ToolPatterns.ALL, ToolPatterns.ALL);
    }
    int client = indexOf(clientTokens, t);
    if (client >= 0) {
      Set<AccessRole> roles = agentTokens.isEmpty() ? EnumSet.of(AccessRole.CLIENT, AccessRole.AGENT, AccessRole.MONITOR)
          : EnumSet.of(AccessRole.CLIENT, AccessRole.MONITOR);
      return new Identity("token:client#" + client, roles, ToolPatterns.ALL, ToolPatterns.ALL, ToolPatterns.ALL);
    }
    return null;
  }

  /** The index of the matching token, comparing with every entry in constant time; -1 when none matches. */
  private static int indexOf(List<byte[]> list, byte[] token) {
    int found = -1;
    for (int i = 0; i < list.size(); i++) {
      if (MessageDigest.isEqual(list.get(i), token) && found < 0) {
        found = i;
      }
    }
    return found;
  }

  private static List<byte[]> bytes(List<String> tokens) {
    return tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }
}
