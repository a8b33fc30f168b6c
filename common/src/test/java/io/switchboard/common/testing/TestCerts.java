package io.switchboard.common.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority for tests, made with the JDK's keytool: a CA, and certificates it issues for
 * 127.0.0.1 and localhost (server and client use), each written as PEM files (certificate chain, PKCS#8 key) the
 * way an operator would configure them. Keys are EC P-256.
 */
public final class TestCerts {
  private static final String PASS = "test-pass";

  /** A PEM certificate chain and its key. */
  public record Pem(Path cert, Path key) {}

  private final Path dir;
  private final Path caStore;
  /** The CA's certificate as PEM: what clients and peers trust. */
  public final Path caCert;

  private TestCerts(Path dir, Path caStore, Path caCert) {
    this.dir = dir;
    this.caStore = caStore;
    this.caCert = caCert;
  }

  /** A new CA named {@code name} in a new temporary folder. */
  public static TestCerts newCa(String name) throws IOException {
    Path dir = Files.createTempDirectory("switchboard-certs-");
    Path store = dir.resolve(name + "-ca.p12");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
        "-ext", "bc:c", "-validity", "3", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS);
    Path pem = dir.resolve(name + "-ca.pem");
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASS, "-file", pem.toString());
    return new TestCerts(dir, store, pem);
  }

  /** A certificate with common name {@code cn} for 127.0.0.1 and localhost, issued by this CA. */
  public Pem issue(String cn) throws IOException {
    Path store = Files.createTempFile(dir, cn + "-", ".p12");
    Files.delete(store);
    keytool("-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + cn,
        "-validity", "3", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS);
    Path csr = Files.createTempFile(dir, cn + "-", ".csr");
    keytool("-certreq", "-alias", "leaf", "-keystore", store.toString(), "-storepass", PASS, "-file", csr.toString());
    Path cert = Files.createTempFile(dir, cn + "-", ".crt.pem");
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASS,
        "-infile", csr.toString(), "-outfile", cert.toString(), "-validity", "3",
        "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=serverAuth,clientAuth",
        "-ext", "ku=digitalSignature");
    Files.writeString(cert, Files.readString(cert) + Files.readString(caCert));
    Path key = Files.createTempFile(dir, cn + "-", ".key.pem");
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASS.toCharArray());
      PrivateKey pk = (PrivateKey) ks.getKey("leaf", PASS.toCharArray());
      Files.writeString(key, pem("PRIVATE KEY", pk.getEncoded()));
    } catch (Exception e) {
      throw new IOException("reading the key of " + cn, e);
    }
    return new Pem(cert, key);
  }

  /** An SSL context that trusts this CA only. */
  public SSLContext clientContext() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", certificates(caCert).get(0));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The certificates in a PEM file, leaf first. */
  public static List<X509Certificate> certificates(Path pem) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem))).forEach(c -> out.add((X509Certificate) c));
    return out;
  }

  private static String pem(String type, byte[] der) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
  }

  private static void keytool(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // a short-lived tool: start it the quick way
    cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
