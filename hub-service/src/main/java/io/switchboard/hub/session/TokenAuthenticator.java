package io.switchboard.hub.session;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The default auth hook. With no tokens configured every HAI is accepted. With {@code hub.auth.tokens}, the HAI's
 * {@code auth.token} (or {@code auth.Authorization}, or {@code auth} itself as a string), with or without
 * "Bearer ", must equal one of them — an agent token also passes. With {@code hub.auth.agentTokens}, only a HAI
 * carrying one of those may offer tools; without, any session may.
 */
public final class TokenAuthenticator implements Authenticator {
  private final List<byte[]> tokens;
  private final List<byte[]> agentTokens;

  public TokenAuthenticator(List<String> tokens, List<String> agentTokens) {
    this.tokens = tokens.stream().filter(t -> !t.isBlank()).map(t -> t.trim().getBytes(StandardCharsets.UTF_8)).toList();
    this.agentTokens = agentTokens.stream().filter(t -> !t.isBlank()).map(t -> t.trim().getBytes(StandardCharsets.UTF_8)).toList();
  }

  @Override
  public Decision authenticate(JsonObject hai) {
    String token = token(hai == null ? null : hai.getValue("auth"));
    boolean isAgentToken = token != null && matches(agentTokens, token);
    boolean agentAllowed = agentTokens.isEmpty() || isAgentToken;
    if (tokens.isEmpty()) {
      return Decision.accept(agentAllowed);
    }
    if (token == null) {
      return Decision.refuse("missing auth.token");
    }
    if (matches(tokens, token) || isAgentToken) {
      return Decision.accept(agentAllowed);
    }
    return Decision.refuse("token refused");
  }

  static String token(Object auth) {
    String raw = null;
    if (auth instanceof String s) {
      raw = s;
    } else if (auth instanceof JsonObject o) {
      Object t = o.getValue("token");
      if (!(t instanceof String)) {
        t = o.getValue("Authorization");
      }
      if (!(t instanceof String)) {
        t = o.getValue("authorization");
      }
      raw = t instanceof String s ? s : null;
    }
    if (raw == null) {
      return null;
    }
    raw = raw.trim();
    if (raw.regionMatches(true, 0, "Bearer ", 0, 7)) {
      raw = raw.substring(7).trim();
    }
    return raw.isEmpty() ? null : raw;
  }

  private static boolean matches(List<byte[]> list, String token) {
    byte[] t = token.getBytes(StandardCharsets.UTF_8);
    boolean found = false;
    for (byte[] candidate : list) {
      found |= MessageDigest.isEqual(candidate, t);
    }
    return found;
  }
}
