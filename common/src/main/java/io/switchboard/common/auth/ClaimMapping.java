package io.switchboard.common.auth;

import io.switchboard.common.auth.AuthRefusal.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a JWT's verified claims into an {@link Identity}, or a refusal with its reason (docs/operations.md,
 * Authentication): {@code exp} (required) and {@code nbf} (optional) against the clock with the skew, {@code iss} and
 * {@code aud} when configured, {@code sub} (required), the roles claim (required; at least one known role) and the
 * tool-pattern claims (optional). A claim may be a JSON array of strings or one string of names separated by spaces or
 * commas. Pure, and total: any JSON gives an outcome, never an exception.
 */
public final class ClaimMapping {
  private ClaimMapping() {}

  /** Claims longer than this (a subject, one list) are refused, so a token cannot make the node hold much. */
  static final int MAX_SUBJECT = 256;
  static final int MAX_ENTRIES = 256;

  /** An identity, or the refusal. */
  public record Outcome(Identity identity, AuthRefusal refusal) {
    public boolean ok() {
      return identity != null;
    }

    static Outcome refuse(Reason r, String message) {
      return new Outcome(null, new AuthRefusal(r, message));
    }
  }

  public static Outcome map(JsonObject claims, ClaimRules rules, long nowSeconds) {
    if (claims == null) {
      return Outcome.refuse(Reason.MALFORMED_TOKEN, "the token has no claims object");
    }
    Object exp = claims.getValue("exp");
    if (exp == null) {
      return Outcome.refuse(Reason.MISSING_CLAIM, "claim exp is missing");
    }
    if (!(exp instanceof Number e)) {
      return Outcome.refuse(Reason.INVALID_CLAIM, "claim exp is not a number");
    }
    if (nowSeconds - rules.skewSeconds() >= e.doubleValue()) {
      return Outcome.refuse(Reason.EXPIRED, "the token expired");
    }
    Object nbf = claims.getValue("nbf");
    if (nbf != null && !(nbf instanceof Number)) {
      return Outcome.refuse(Reason.INVALID_CLAIM, "claim nbf is not a number");
    }
    if (nbf instanceof Number n && nowSeconds + rules.skewSeconds() < n.doubleValue()) {
      return Outcome.refuse(Reason.NOT_YET_VALID, "the token is not valid yet (nbf)");
    }
    if (!rules.issuer().isEmpty() && !rules.issuer().equals(claims.getValue("iss"))) {
      return Outcome.refuse(Reason.WRONG_ISSUER, "claim iss is not the issuer this node accepts");
    }
    if (!rules.audience().isEmpty() && !audienceMatches(claims.getValue("aud"), rules.audience())) {
      return Outcome.refuse(Reason.WRONG_AUDIENCE, "claim aud names no audience this node accepts");
    }
    Object sub = claims.getValue("sub");
    if (sub == null) {
      return Outcome.refuse(Reason.MISSING_CLAIM, "claim sub is missing");
    }
    if (!(sub instanceof String s) || s.isBlank() || s.length() > MAX_SUBJECT) {
      return Outcome.refuse(Reason.INVALID_CLAIM, "claim sub must be a string of 1 to " + MAX_SUBJECT + " characters");
    }
    Object rolesValue = claims.getValue(rules.rolesClaim());
    if (rolesValue == null) {
      return Outcome.refuse(Reason.MISSING_CLAIM, "claim " + rules.rolesClaim() + " is missing");
    }
    List<String> roleNames = names(rolesValue);
    if (roleNames == null) {
      return Outcome.refuse(Reason.INVALID_CLAIM, "claim " + rules.rolesClaim() + " must be a list of role names");
    }
    Set<AccessRole> roles = EnumSet.noneOf(AccessRole.class);
    for (String n : roleNames) {
      AccessRole r = AccessRole.of(n);
      if (r != null) {
        roles.add(r);
      }
    }
    if (roles.isEmpty()) {
      return Outcome.refuse(Reason.INVALID_CLAIM, "claim " + rules.rolesClaim() + " names none of client, agent, monitor, admin");
    }
    ToolPatterns[] patterns = new ToolPatterns[3];
    String[] claimNames = {rules.offerClaim(), rules.callClaim(), rules.watchClaim()};
    for (int i = 0; i < 3; i++) {
      Object v = claims.getValue(claimNames[i]);
      if (v == null) {
        patterns[i] = ToolPatterns.ALL;
        continue;
      }
      List<String> list = names(v);
      if (list == null || !list.stream().allMatch(p -> ToolPatterns.VALID.matcher(p).matches())) {
        return Outcome.refuse(Reason.INVALID_CLAIM, "claim " + claimNames[i]
            + " must be a list of tool patterns [A-Za-z0-9_.:*-]{1,128}");
      }
      patterns[i] = new ToolPatterns(list);
    }
    return new Outcome(new Identity(s, roles, patterns[0], patterns[1], patterns[2]), null);
  }

  private static boolean audienceMatches(Object aud, List<String> accepted) {
    if (aud instanceof String a) {
      return accepted.contains(a);
    }
    if (aud instanceof JsonArray arr) {
      for (Object o : arr) {
        if (o instanceof String a && accepted.contains(a)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A claim's names: a JSON array of strings, or one string split on spaces and commas; null when neither. */
  static List<String> names(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof String s) {
      for (String part : s.split("[\\s,]+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
    } else if (value instanceof JsonArray arr) {
      for (Object o : arr) {
        if (!(o instanceof String s)) {
          return null;
        }
        out.add(s);
      }
    } else {
      return null;
    }
    return out.size() > MAX_ENTRIES ? null : out;
  }
}
