package io.switchboard.common.auth;

/**
 * Why a credential was refused (docs/operations.md, Authentication): a reason whose {@link Reason#name()} is the
 * code named in the refusal's message and counted in {@code switchboard_auth_refusals_total{reason}}, and a message
 * that names what was wrong without echoing the credential.
 */
public record AuthRefusal(Reason reason, String message) {
  public enum Reason {
    /** No credential where one is needed. */
    MISSING_CREDENTIAL,
    /** Not a JWT (three base64url parts, a JSON header and payload), or an unknown static token. */
    MALFORMED_TOKEN,
    /** The header's alg is none, or not one the node's keys verify. */
    ALG_REFUSED,
    /** The signature does not verify with the node's keys. */
    BAD_SIGNATURE,
    /** exp is past (beyond the clock skew). */
    EXPIRED,
    /** nbf is in the future (beyond the clock skew). */
    NOT_YET_VALID,
    WRONG_ISSUER,
    WRONG_AUDIENCE,
    /** A claim the node needs is absent: exp, sub or the roles claim. */
    MISSING_CLAIM,
    /** A claim has the wrong type or a value the node does not accept. */
    INVALID_CLAIM,
    /** A static token that is on none of the node's lists. */
    UNKNOWN_TOKEN,
    /** The JWKS could not be fetched yet. */
    KEYS_UNAVAILABLE
  }

  public String code() {
    return reason.name();
  }

  /** The message with its code first: what a client sees in its ERROR frame or JSON error. */
  public String describe() {
    return code() + ": " + message;
  }
}
