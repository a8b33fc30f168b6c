package io.switchboard.common.auth;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The authentication settings (auth.*, admin.port, and the simple mode's hub.auth.tokens and hub.auth.agentTokens;
 * docs/operations.md, Authentication).
 *
 * @param clientTokens static tokens for HAIP clients and monitors (hub.auth.tokens)
 * @param agentTokens static tokens for HAIP agents (hub.auth.agentTokens)
 * @param adminTokens static admin tokens (auth.adminTokens)
 * @param hs256Secret the HS256 secret, empty for none
 * @param publicKeyPem the PEM text of auth.jwt.publicKey, empty for none
 * @param publicKeyAlgorithm RS256 or ES256
 * @param jwksUrl empty for none
 * @param jwksRefreshMs how often the JWKS is fetched again
 * @param rules what a verified JWT's claims must hold and where its roles and permissions are
 * @param allowToolTakeover whether an agent may offer a tool another identity's agent offers
 * @param adminPort the management port, 0 for none
 */
public record AuthSettings(List<String> clientTokens, List<String> agentTokens, List<String> adminTokens,
    String hs256Secret, String publicKeyPem, String publicKeyAlgorithm, String jwksUrl, long jwksRefreshMs,
    ClaimRules rules, boolean allowToolTakeover, int adminPort) {

  /** An HS256 secret shorter than this is refused at start-up. */
  static final int MIN_SECRET_BYTES = 32;

  public AuthSettings {
    clientTokens = nonBlank(clientTokens);
    agentTokens = nonBlank(agentTokens);
    adminTokens = nonBlank(adminTokens);
  }

  public static AuthSettings from(SwitchboardConfig cfg) {
    String secret = cfg.getString(ConfigKeys.AUTH_JWT_SECRET);
    if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new ConfigException(ConfigKeys.AUTH_JWT_SECRET, ConfigKeys.AUTH_JWT_SECRET + " must be at least "
          + MIN_SECRET_BYTES + " bytes for HS256");
    }
    String jwks = cfg.getString(ConfigKeys.AUTH_JWT_JWKS_URL).trim();
    if (!jwks.isEmpty()) {
      try {
        URI u = URI.create(jwks);
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
          throw new IllegalArgumentException("not http(s)");
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(ConfigKeys.AUTH_JWT_JWKS_URL, ConfigKeys.AUTH_JWT_JWKS_URL + " must be an http or https URL");
      }
    }
    ClaimRules rules = new ClaimRules(cfg.getString(ConfigKeys.AUTH_JWT_ISSUER).trim(),
        nonBlank(cfg.getList(ConfigKeys.AUTH_JWT_AUDIENCE)), cfg.getDurationMs(ConfigKeys.AUTH_JWT_CLOCK_SKEW) / 1000,
        claimName(cfg, ConfigKeys.AUTH_JWT_ROLES_CLAIM), claimName(cfg, ConfigKeys.AUTH_JWT_OFFER_CLAIM),
        claimName(cfg, ConfigKeys.AUTH_JWT_CALL_CLAIM), claimName(cfg, ConfigKeys.AUTH_JWT_WATCH_CLAIM));
    return new AuthSettings(cfg.getList(ConfigKeys.HUB_AUTH_TOKENS), cfg.getList(ConfigKeys.HUB_AUTH_AGENT_TOKENS),
        cfg.getList(ConfigKeys.AUTH_ADMIN_TOKENS), secret, publicKey(cfg.getString(ConfigKeys.AUTH_JWT_PUBLIC_KEY).trim()),
        cfg.getString(ConfigKeys.AUTH_JWT_PUBLIC_KEY_ALGORITHM).toUpperCase(Locale.ROOT), jwks,
        Math.max(1000, cfg.getDurationMs(ConfigKeys.AUTH_JWT_JWKS_REFRESH)), rules,
        cfg.getBoolean(ConfigKeys.AUTH_ALLOW_TOOL_TAKEOVER), cfg.getInt(ConfigKeys.ADMIN_PORT));
  }

  /** Whether JWTs are accepted (a secret, a public key or a JWKS). */
  public boolean jwt() {
    return !hs256Secret.isEmpty() || !publicKeyPem.isEmpty() || !jwksUrl.isEmpty();
  }

  /** Whether a connection without a credential is refused (any credential list or JWT key is configured). */
  public boolean required() {
    return jwt() || !clientTokens.isEmpty() || !adminTokens.isEmpty();
  }

  /** Whether nothing at all is configured: every connection and request is let through as an admin. */
  public boolean none() {
    return !required() && agentTokens.isEmpty();
  }

  private static String claimName(SwitchboardConfig cfg, String key) {
    String v = cfg.getString(key).trim();
    if (v.isEmpty()) {
      throw new ConfigException(key, key + " must name a claim");
    }
    return v;
  }

  private static String publicKey(String value) {
    if (value.isEmpty() || value.startsWith("-----BEGIN")) {
      return value;
    }
    try {
      String pem = Files.readString(Path.of(value), StandardCharsets.US_ASCII).trim();
      if (!pem.startsWith("-----BEGIN")) {
        throw new ConfigException(ConfigKeys.AUTH_JWT_PUBLIC_KEY, ConfigKeys.AUTH_JWT_PUBLIC_KEY + ": " + value
            + " holds no PEM key");
      }
      return pem;
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException ce) {
        throw ce;
      }
      throw new ConfigException(ConfigKeys.AUTH_JWT_PUBLIC_KEY, ConfigKeys.AUTH_JWT_PUBLIC_KEY
          + " is neither PEM text nor a readable file: " + value);
    }
  }

  private static List<String> nonBlank(List<String> l) {
    return l.stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
  }
}
