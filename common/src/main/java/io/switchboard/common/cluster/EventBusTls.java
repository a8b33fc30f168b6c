package io.switchboard.common.cluster;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.http.HttpTls;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;

/**
 * Mutual TLS on the event bus between nodes ({@code eventBus.tls.*}; docs/operations.md, "Running it in the open").
 * Each node listens with TLS and requires a client certificate, and connects to the others with its own certificate;
 * both sides trust only the cluster's CA. A process that joins Hazelcast without a certificate of that CA is listed
 * as a member but no node opens a bus connection with it, so it neither receives nor sends a bus message. Hazelcast's
 * own traffic stays plain (its open-source edition has no TLS).
 *
 * @param certPath PEM certificate chain this node presents, as server and as client
 * @param keyPath PEM private key of that certificate
 * @param trustPath PEM certificate(s) of the cluster's CA
 */
public record EventBusTls(Path certPath, Path keyPath, Path trustPath) {
  /**
   * Reads {@code eventBus.tls.*}; null when all three are empty.
   *
   * @throws ConfigException naming the key that is missing or unreadable when only some are set
   */
  public static EventBusTls from(SwitchboardConfig c) {
    String cert = c.getString(ConfigKeys.EVENTBUS_TLS_CERT_PATH).trim();
    String key = c.getString(ConfigKeys.EVENTBUS_TLS_KEY_PATH).trim();
    String trust = c.getString(ConfigKeys.EVENTBUS_TLS_TRUST_PATH).trim();
    if (cert.isEmpty() && key.isEmpty() && trust.isEmpty()) {
      return null;
    }
    String others = "the other eventBus.tls keys are set";
    return new EventBusTls(HttpTls.readable(ConfigKeys.EVENTBUS_TLS_CERT_PATH, cert, others),
        HttpTls.readable(ConfigKeys.EVENTBUS_TLS_KEY_PATH, key, others),
        HttpTls.readable(ConfigKeys.EVENTBUS_TLS_TRUST_PATH, trust, others));
  }

  /** Turns TLS with required client certificates on in the event bus's options. */
  public EventBusOptions applyTo(EventBusOptions eb) {
    return eb.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath.toString()).setKeyPath(keyPath.toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(trustPath.toString()))
        .setTrustAll(false)
        .setClientAuth(ClientAuth.REQUIRED);
  }
}
