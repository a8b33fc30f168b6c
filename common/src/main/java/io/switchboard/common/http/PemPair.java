package io.switchboard.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * A PEM certificate file and key file as read at one moment: their contents and what identifies that version
 * (modification time and size of each), so a later look can tell whether either changed. Immutable.
 */
public record PemPair(Path certPath, Path keyPath, Stamp stamp, Buffer cert, Buffer key) {
  /** The modification times and sizes of the two files. */
  public record Stamp(FileTime certModified, long certSize, FileTime keyModified, long keySize) {
    public static Stamp of(Path cert, Path key) throws IOException {
      return new Stamp(Files.getLastModifiedTime(cert), Files.size(cert), Files.getLastModifiedTime(key), Files.size(key));
    }
  }

  /** Reads both files now. */
  public static PemPair read(Path cert, Path key) throws IOException {
    Stamp before = Stamp.of(cert, key);
    return new PemPair(cert, key, before, Buffer.buffer(Files.readAllBytes(cert)), Buffer.buffer(Files.readAllBytes(key)));
  }

  /**
   * Checks that the key and the leaf certificate belong together: a probe signed with the key verifies with the
   * certificate's public key. Without this a mismatched pair would load and fail every handshake.
   *
   * @throws GeneralSecurityException saying which (in words of its own, for logs and start-up errors): the files do
   *     not parse, or the key is not the certificate's
   */
  public void checkMatches(Vertx vertx) throws GeneralSecurityException {
    KeyManagerFactory kmf;
    try {
      kmf = options().getKeyManagerFactory(vertx);
    } catch (Exception e) {
      throw new GeneralSecurityException("the key or the certificate is not a PEM file of a supported kind");
    }
    for (KeyManager m : kmf.getKeyManagers()) {
      if (!(m instanceof X509KeyManager km)) {
        continue;
      }
      for (String type : KEY_TYPES) {
        String[] aliases = km.getServerAliases(type, null);
        if (aliases == null) {
          continue;
        }
        for (String alias : aliases) {
          PrivateKey key = km.getPrivateKey(alias);
          X509Certificate[] chain = km.getCertificateChain(alias);
          if (key != null && chain != null && chain.length > 0) {
            if (!signs(key, chain[0])) {
              throw new GeneralSecurityException("the private key does not belong to the certificate");
            }
            return;
          }
        }
      }
    }
    throw new GeneralSecurityException("no private key with a certificate was found");
  }

  private static final String[] KEY_TYPES = {"RSA", "EC", "EdDSA", "Ed25519", "DSA"};

  private static boolean signs(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "DSA" -> "SHA256withDSA";
      default -> key.getAlgorithm();
    };
    byte[] probe = "switchboard-tls-pair-check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(cert.getPublicKey());
    verifier.update(probe);
    return verifier.verify(signature);
  }

  /** Key and certificate as Vert.x options holding the contents (never the paths, so nothing is cached by name). */
  public PemKeyCertOptions options() {
    return new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
  }
}
