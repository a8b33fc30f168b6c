package io.switchboard.common.auth;

import io.switchboard.common.auth.AuthRefusal.Reason;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * The checks a token passes before its signature is verified: three base64url parts, a JSON object for a header
 * whose {@code alg} is one the node's keys verify ({@code none} never is). Pure and total.
 */
public final class JwtHeader {
  private JwtHeader() {}

  /** Tokens longer than this are refused unread. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  /** Whether {@code token} looks like a JWT at all (two dots): the others are static tokens. */
  public static boolean looksLikeJwt(String token) {
    int first = token.indexOf('.');
    return first > 0 && token.indexOf('.', first + 1) > first;
  }

  /** Null when the header passes, else the refusal. */
  public static AuthRefusal check(String token, Set<String> algorithms) {
    if (token == null || token.length() > MAX_TOKEN_CHARS) {
      return new AuthRefusal(Reason.MALFORMED_TOKEN, "the token is missing or longer than " + MAX_TOKEN_CHARS + " characters");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return new AuthRefusal(Reason.MALFORMED_TOKEN, "a JWT has three base64url parts");
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return new AuthRefusal(Reason.MALFORMED_TOKEN, "the JWT header is not base64url JSON");
    }
    Object alg = header.getValue("alg");
    if (!(alg instanceof String a)) {
      return new AuthRefusal(Reason.MALFORMED_TOKEN, "the JWT header has no alg");
    }
    if ("none".equalsIgnoreCase(a) || parts[2].isEmpty()) {
      return new AuthRefusal(Reason.ALG_REFUSED, "unsigned tokens (alg none) are refused");
    }
    if (!algorithms.contains(a)) {
      return new AuthRefusal(Reason.ALG_REFUSED, "alg " + (a.length() > 16 ? a.substring(0, 16) : a)
          + " is not one this node verifies");
    }
    return null;
  }
}
