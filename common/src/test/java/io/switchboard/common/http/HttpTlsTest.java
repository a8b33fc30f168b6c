package io.switchboard.common.http;

import static io.switchboard.common.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestCerts;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP and WebSocket over TLS ({@code http.tls.*}): a client trusting the node's CA connects with https and wss, a
 * plain client and a client that does not trust the CA are refused, and a changed key and certificate on disk are
 * served to the next connection (a broken pair leaves the working one in service).
 */
class HttpTlsTest {
  static TestNodes.Cluster cluster;
  static SwitchboardNode node;
  static TestCerts ca;
  static TestCerts.Pem one;
  static TestCerts.Pem two;
  static Path liveCert;
  static Path liveKey;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    ca = TestCerts.newCa("switchboard-test-ca");
    one = ca.issue("node-one");
    two = ca.issue("node-two");
    Path dir = Files.createTempDirectory("switchboard-live-tls-");
    liveCert = dir.resolve("tls.crt");
    liveKey = dir.resolve("tls.key");
    Files.copy(one.cert(), liveCert);
    Files.copy(one.key(), liveKey);
    cluster = new TestNodes.Cluster();
    node = cluster.start("tls", List.of(), Map.of("cluster.mode", "none", "http.tls.certPath", liveCert.toString(),
        "http.tls.keyPath", liveKey.toString(), "http.tls.reloadInterval", "100ms"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void aClientTrustingTheCaConnectsOverHttps() throws Exception {
    HttpClient https = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.httpPort() + "/health"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"status\":\"ok\"");
  }

  @Test
  void aClientTrustingTheCaConnectsOverWss() {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(ca.caCert.toString())));
    WebSocket ws = await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
        .setURI("/eventbus/websocket")));
    assertThat(ws.isSsl()).isTrue();
    await(ws.close());
    await(client.close());
  }

  @Test
  void aPlainClientOnTheTlsPortIsRefused() {
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }

  @Test
  void aClientThatDoesNotTrustTheCaIsRefused() {
    HttpClient jdkTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> jdkTrust.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.httpPort() + "/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void aChangedKeyAndCertificateAreServedToTheNextConnection() throws Exception {
    Counter ok = node.context().metrics().registry().find("switchboard.tls.reloads").tag("result", "ok").counter();
    Counter failed = node.context().metrics().registry().find("switchboard.tls.reloads").tag("result", "failed").counter();
    assertThat(servedCommonName()).isEqualTo("CN=node-one");
    replace(two);
    Await.waitFor(Await.WAIT, () -> "CN=node-two".equals(servedCommonName()), "the node still serves node-one's certificate");
    Await.waitFor(Await.WAIT, () -> ok.count() >= 1, "the reload was not counted");

    // a certificate that does not go with the key: the working pair stays in service
    double failedBefore = failed.count();
    Path wrong = Files.createTempFile("wrong-", ".pem");
    Files.copy(one.cert(), wrong, StandardCopyOption.REPLACE_EXISTING);
    Files.move(wrong, liveCert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Await.waitFor(Await.WAIT, () -> failed.count() > failedBefore, "the mismatched pair was not noticed");
    assertThat(servedCommonName()).isEqualTo("CN=node-two");
  }

  @Test
  void aKeyThatIsNotTheCertificatesStopsTheStartNamingTheKey() {
    try (TestNodes.Cluster other = new TestNodes.Cluster()) {
      assertThatThrownBy(() -> other.start("mismatch", List.of(), Map.of("cluster.mode", "none",
          "http.tls.certPath", one.cert().toString(), "http.tls.keyPath", two.key().toString())))
          .hasMessageContaining("http.tls.keyPath").hasMessageContaining("is not the private key");
      assertThatThrownBy(() -> other.start("half", List.of(), Map.of("cluster.mode", "none",
          "http.tls.certPath", one.cert().toString())))
          .hasMessageContaining("http.tls.keyPath");
    }
  }

  private static void replace(TestCerts.Pem pem) throws IOException {
    for (Path[] fromTo : new Path[][] {{pem.key(), liveKey}, {pem.cert(), liveCert}}) {
      Path tmp = Files.createTempFile(fromTo[1].getParent(), "next-", ".pem");
      Files.copy(fromTo[0], tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, fromTo[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** The subject of the certificate the node presents to a new connection. */
  private static String servedCommonName() {
    try (SSLSocket s = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(5000);
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    } catch (IOException e) {
      return "failed: " + e;
    }
  }
}
