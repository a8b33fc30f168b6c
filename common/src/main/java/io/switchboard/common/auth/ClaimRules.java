package io.switchboard.common.auth;

import java.util.List;

/**
 * What {@link ClaimMapping} checks and reads in a verified JWT's claims.
 *
 * @param issuer the required {@code iss}; empty means not checked
 * @param audience accepted {@code aud} values (the token's aud must hold one); empty means not checked
 * @param skewSeconds how far {@code exp} and {@code nbf} may be off the node's clock
 * @param rolesClaim the claim that lists roles (client, agent, monitor, admin)
 * @param offerClaim the claim that lists tool patterns an agent may offer; absent means every tool
 * @param callClaim the claim that lists tool patterns a client may call; absent means every tool
 * @param watchClaim the claim that lists tool patterns whose executions a monitor may see; absent means every tool
 */
public record ClaimRules(String issuer, List<String> audience, long skewSeconds, String rolesClaim, String offerClaim,
    String callClaim, String watchClaim) {
  public ClaimRules {
    audience = List.copyOf(audience);
  }
}
