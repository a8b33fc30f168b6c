package io.switchboard.common.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Keys a test owns and JWTs it signs with them: HS256 secrets, an RS256 key pair (with its JWK, for a JWKS the test
 * serves on loopback) and an ES256 key pair (with its PEM public key, for auth.jwt.publicKey).
 */
public final class TestJwts {
  private TestJwts() {}

  /** A signer for one key. */
  public static final class Signer {
    private final JWTAuth auth;
    private final String alg;
    private final String kid;
    /** The PEM public key (RS256, ES256) or null (HS256). */
    public final String publicPem;
    /** The JWK of the public key (RS256) or null. */
    public final JsonObject jwk;

    private Signer(JWTAuth auth, String alg, String kid, String publicPem, JsonObject jwk) {
      this.auth = auth;
      this.alg = alg;
      this.kid = kid;
      this.publicPem = publicPem;
      this.jwk = jwk;
    }

    /** A token with exactly these claims (no iat added). */
    public String sign(JsonObject claims) {
      JWTOptions o = new JWTOptions().setAlgorithm(alg).setNoTimestamp(true);
      if (kid != null) {
        o.setHeader(new JsonObject().put("kid", kid));
      }
      return auth.generateToken(claims, o);
    }
  }

  public static Signer hs256(Vertx vertx, String secret) {
    return new Signer(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("HS256").setBuffer(secret))), "HS256", null, null, null);
  }

  public static Signer rs256(Vertx vertx, String kid) {
    KeyPair kp = generate("RSA", null);
    RSAPublicKey pub = (RSAPublicKey) kp.getPublic();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", b64u(unsigned(pub.getModulus()))).put("e", b64u(unsigned(pub.getPublicExponent())));
    return new Signer(signer(vertx, "RS256", kp), "RS256", kid, pem("PUBLIC KEY", kp.getPublic().getEncoded()), jwk);
  }

  public static Signer es256(Vertx vertx) {
    KeyPair kp = generate("EC", new ECGenParameterSpec("secp256r1"));
    return new Signer(signer(vertx, "ES256", kp), "ES256", null, pem("PUBLIC KEY", kp.getPublic().getEncoded()), null);
  }

  /** An unsigned token: header {@code alg: none}, the claims, an empty signature. */
  public static String unsigned(JsonObject claims) {
    return b64u(new JsonObject().put("alg", "none").put("typ", "JWT").encode().getBytes(StandardCharsets.UTF_8)) + "."
        + b64u(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  /** Claims valid for five minutes from now: sub, roles (a JSON array), iss and aud as given. */
  public static JsonObject claims(String sub, String iss, String aud, String... roles) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("iss", iss).put("aud", aud).put("exp", now + 300)
        .put("roles", new JsonArray(Arrays.asList((Object[]) roles)));
  }

  private static JWTAuth signer(Vertx vertx, String alg, KeyPair kp) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg)
        .setBuffer(pem("PRIVATE KEY", kp.getPrivate().getEncoded()))));
  }

  private static KeyPair generate(String type, ECGenParameterSpec spec) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(type);
      if (spec != null) {
        g.initialize(spec);
      } else {
        g.initialize(2048);
      }
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String kind, byte[] der) {
    return "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + kind + "-----\n";
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static String b64u(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
