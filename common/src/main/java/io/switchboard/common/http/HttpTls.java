package io.switchboard.common.http;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS of the node's HTTP server ({@code http.tls.*}; docs/operations.md, "Running it in the open"): the PEM
 * certificate chain and private key, and how often to look for new ones. Disabled when both paths are empty.
 *
 * @param certPath PEM certificate chain, leaf first
 * @param keyPath PEM private key of the leaf
 * @param reloadIntervalMs how often the files are checked for a change; 0 means never
 */
public record HttpTls(Path certPath, Path keyPath, long reloadIntervalMs) {
  /**
   * Reads {@code http.tls.*}; null when TLS is off.
   *
   * @throws ConfigException naming the key when only one path is set or a file cannot be read
   */
  public static HttpTls from(SwitchboardConfig c) {
    String cert = c.getString(ConfigKeys.HTTP_TLS_CERT_PATH).trim();
    String key = c.getString(ConfigKeys.HTTP_TLS_KEY_PATH).trim();
    if (cert.isEmpty() && key.isEmpty()) {
      return null;
    }
    return new HttpTls(readable(ConfigKeys.HTTP_TLS_CERT_PATH, cert, ConfigKeys.HTTP_TLS_KEY_PATH + " is set"),
        readable(ConfigKeys.HTTP_TLS_KEY_PATH, key, ConfigKeys.HTTP_TLS_CERT_PATH + " is set"),
        c.getDurationMs(ConfigKeys.HTTP_TLS_RELOAD_INTERVAL));
  }

  /**
   * The file a TLS path key names, checked to be a readable file.
   *
   * @param partner what makes this key required, for the message when it is empty
   */
  public static Path readable(String key, String value, String partner) {
    if (value.isEmpty()) {
      throw new ConfigException(key, key + " is empty while " + partner + ": give all of them, or none for no TLS");
    }
    Path p = Path.of(value);
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new ConfigException(key, key + " '" + value + "' is not a readable file");
    }
    return p;
  }
}
