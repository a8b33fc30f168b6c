package io.switchboard.common.auth;

import io.switchboard.common.auth.AuthRefusal.Reason;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWT signatures with Vert.x's JWT provider, over the configured keys: the HS256 secret, the PEM public key
 * and the keys of the JWKS, which is fetched at start, every {@code auth.jwt.jwksRefresh}, and again (at most every
 * {@link #KID_REFETCH_MS}) when a token names a {@code kid} it does not hold; the last good key set stays in use while
 * a fetch fails. Time, issuer, audience and claims are {@link ClaimMapping}'s: the provider here only checks the
 * signature. Its state is a volatile provider replaced whole, so any thread may verify.
 */
final class JwtVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
  static final long KID_REFETCH_MS = 10_000;

  private final Vertx vertx;
  private final AuthSettings settings;
  private final HttpClient http;
  private final Set<String> algorithms = new LinkedHashSet<>();
  private volatile JWTAuth provider;
  private volatile Set<String> kids = Set.of();
  private volatile boolean jwksLoaded;
  private volatile long lastFetchMs;
  private Future<Void> fetching;

  JwtVerifier(Vertx vertx, AuthSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    if (!settings.hs256Secret().isEmpty()) {
      algorithms.add("HS256");
    }
    if (!settings.publicKeyPem().isEmpty()) {
      algorithms.add(settings.publicKeyAlgorithm());
    }
    if (!settings.jwksUrl().isEmpty()) {
      algorithms.add("RS256");
      algorithms.add("ES256");
    }
    this.http = settings.jwksUrl().isEmpty() ? null : vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(5000).setIdleTimeout(10));
    try {
      provider = build(List.of());
    } catch (RuntimeException e) {
      String key = settings.publicKeyPem().isEmpty() ? ConfigKeys.AUTH_JWT_SECRET : ConfigKeys.AUTH_JWT_PUBLIC_KEY;
      throw new ConfigException(key, key + " is not a usable " + (settings.publicKeyPem().isEmpty() ? "HS256 secret"
          : settings.publicKeyAlgorithm() + " public key"));
    }
  }

  /** Fetches the JWKS (if any) and refreshes it periodically; completes even when the first fetch fails. */
  Future<Void> start() {
    if (http == null) {
      return Future.succeededFuture();
    }
    vertx.setPeriodic(settings.jwksRefreshMs(), t -> fetch());
    return fetch().recover(e -> Future.succeededFuture());
  }

  Set<String> algorithms() {
    return algorithms;
  }

  /** The token's verified claims, or a failed future whose cause is a {@link Refused}. */
  Future<JsonObject> verify(String token) {
    AuthRefusal header = JwtHeader.check(token, algorithms);
    if (header != null) {
      return Future.failedFuture(new Refused(header));
    }
    if (http != null) {
      String kid = kid(token);
      boolean unknownKid = kid != null && !kids.contains(kid);
      if ((!jwksLoaded || unknownKid) && System.currentTimeMillis() - lastFetchMs >= KID_REFETCH_MS) {
        return fetch().transform(ar -> check(token));
      }
      if (!jwksLoaded && settings.hs256Secret().isEmpty() && settings.publicKeyPem().isEmpty()) {
        return Future.failedFuture(new Refused(new AuthRefusal(Reason.KEYS_UNAVAILABLE,
            "the node could not fetch its JWKS yet; try again")));
      }
    }
    return check(token);
  }

  private Future<JsonObject> check(String token) {
    return provider.authenticate(new TokenCredentials(token)).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(new Refused(new AuthRefusal(Reason.BAD_SIGNATURE,
            "the signature does not verify with this node's keys")));
      }
      User u = ar.result();
      JsonObject claims = u.attributes() == null ? null : u.attributes().getJsonObject("accessToken");
      return Future.succeededFuture(claims != null ? claims : u.principal());
    });
  }

  private synchronized Future<Void> fetch() {
    if (fetching != null) {
      return fetching;
    }
    lastFetchMs = System.currentTimeMillis();
    Future<Void> f = http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(settings.jwksUrl())
            .setTimeout(5000))
        .compose(req -> req.send())
        .compose(resp -> resp.statusCode() == 200 ? resp.body()
            : Future.failedFuture("the JWKS answered HTTP " + resp.statusCode()))
        .compose(body -> {
          JsonArray keys = new JsonObject(body).getJsonArray("keys");
          List<JsonObject> usable = new ArrayList<>();
          Set<String> ids = new HashSet<>();
          for (Object o : keys) {
            if (o instanceof JsonObject k && usable(k) != null) {
              usable.add(usable(k));
              if (k.getValue("kid") instanceof String id) {
                ids.add(id);
              }
            }
          }
          provider = build(usable);
          kids = Set.copyOf(ids);
          jwksLoaded = true;
          return Future.<Void>succeededFuture();
        });
    fetching = f;
    f.onComplete(ar -> {
      synchronized (this) {
        fetching = null;
      }
      if (ar.failed()) {
        LOG.warn("the JWKS at {} could not be fetched ({}); the last good keys stay in use", shown(settings.jwksUrl()),
            ar.cause().getMessage());
      }
    });
    return f;
  }

  /** A URL as logs show it: scheme, host, port and path; user info and query (which may carry secrets) left out. */
  static String shown(String url) {
    try {
      URI u = URI.create(url);
      return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
          + (u.getRawPath() == null ? "" : u.getRawPath());
    } catch (IllegalArgumentException e) {
      return "(the configured auth.jwt.jwksUrl)";
    }
  }

  /** A JWKS key the provider can use (RSA or EC P-256 signing keys), with its alg filled in; null when not usable. */
  private static JsonObject usable(JsonObject k) {
    if (k.getValue("use") instanceof String use && !"sig".equals(use)) {
      return null;
    }
    String kty = k.getValue("kty") instanceof String s ? s : "";
    String alg = k.getValue("alg") instanceof String a ? a : "RSA".equals(kty) ? "RS256" : "EC".equals(kty) ? "ES256" : null;
    if (!"RS256".equals(alg) && !"ES256".equals(alg)) {
      return null;
    }
    return k.copy().put("alg", alg);
  }

  private JWTAuth build(List<JsonObject> jwks) {
    JWTAuthOptions o = new JWTAuthOptions().setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
    if (!settings.hs256Secret().isEmpty()) {
      o.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(settings.hs256Secret()));
    }
    if (!settings.publicKeyPem().isEmpty()) {
      o.addPubSecKey(new PubSecKeyOptions().setAlgorithm(settings.publicKeyAlgorithm()).setBuffer(settings.publicKeyPem()));
    }
    o.setJwks(jwks);
    return JWTAuth.create(vertx, o);
  }

  private static String kid(String token) {
    try {
      int dot = token.indexOf('.');
      JsonObject h = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8));
      return h.getValue("kid") instanceof String k ? k : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A verification's refusal, as a future's cause. */
  static final class Refused extends RuntimeException {
    final AuthRefusal refusal;

    Refused(AuthRefusal refusal) {
      super(refusal.describe(), null, false, false);
      this.refusal = refusal;
    }
  }
}
