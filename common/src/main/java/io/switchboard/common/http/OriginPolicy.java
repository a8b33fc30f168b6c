package io.switchboard.common.http;

import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may talk to the node ({@code http.allowedOrigins}; docs/operations.md, "Running it in the
 * open"). Pure.
 * <ul>
 *   <li>A request without an {@code Origin} header is not a cross-site browser request (curl, agents, the CLI, a
 *       page's own navigation): {@link Verdict#NO_ORIGIN}.</li>
 *   <li>With the list empty, a browser is allowed from the node's own origin only: the {@code Origin}'s host and
 *       explicit port equal the {@code Host} header's ({@link Verdict#SAME_ORIGIN}); the scheme is not compared, so
 *       a TLS-terminating proxy in front keeps working.</li>
 *   <li>With the list set, it is the complete list ({@link Verdict#LISTED}): the node's own public origin must be on
 *       it for the dashboard. Judging by the list alone also shuts out DNS rebinding, where a foreign site's name
 *       resolves to the node and its Origin matches the Host header.</li>
 *   <li>Anything else, {@code Origin: null} included, is {@link Verdict#FOREIGN}.</li>
 * </ul>
 *
 * @param allowed configured origins, normalised to lower-case {@code scheme://host[:port]} without a default port
 */
public record OriginPolicy(Set<String> allowed) {
  /** What the policy says about one request. */
  public enum Verdict {
    NO_ORIGIN, SAME_ORIGIN, LISTED, FOREIGN;

    public boolean allowed() {
      return this != FOREIGN;
    }
  }

  public OriginPolicy {
    allowed = Set.copyOf(allowed);
  }

  /**
   * Reads {@code http.allowedOrigins}.
   *
   * @throws ConfigException naming the key when an entry is not {@code http(s)://host[:port]}
   */
  public static OriginPolicy from(SwitchboardConfig c) {
    Set<String> out = new LinkedHashSet<>();
    for (String entry : c.getList(ConfigKeys.HTTP_ALLOWED_ORIGINS)) {
      String o = entry.trim();
      if (o.isEmpty()) {
        continue;
      }
      String n = normalise(o);
      if (n == null) {
        throw new ConfigException(ConfigKeys.HTTP_ALLOWED_ORIGINS, ConfigKeys.HTTP_ALLOWED_ORIGINS + ": '" + o
            + "' is not an origin: write scheme://host or scheme://host:port (http or https, no path), e.g. https://switchboard.example.com");
      }
      out.add(n);
    }
    return new OriginPolicy(out);
  }

  /** The verdict for a request with this {@code Origin} header (null when absent) and {@code Host} header. */
  public Verdict judge(String origin, String host) {
    if (origin == null) {
      return Verdict.NO_ORIGIN;
    }
    String n = normalise(origin.trim());
    if (n == null) {
      return Verdict.FOREIGN;
    }
    if (!allowed.isEmpty()) {
      return allowed.contains(n) ? Verdict.LISTED : Verdict.FOREIGN;
    }
    return host != null && authorityOf(n).equals(host.trim().toLowerCase(Locale.ROOT)) ? Verdict.SAME_ORIGIN : Verdict.FOREIGN;
  }

  /** The configured origins as written back to a CORS handler. */
  public List<String> origins() {
    return List.copyOf(allowed);
  }

  /** {@code scheme://host[:port]} lower-cased with the scheme's default port dropped, or null when not an origin. */
  static String normalise(String origin) {
    URI u;
    try {
      u = new URI(origin);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme) || u.getHost() == null || u.getRawUserInfo() != null
        || (u.getRawPath() != null && !u.getRawPath().isEmpty()) || u.getRawQuery() != null || u.getRawFragment() != null) {
      return null;
    }
    int port = u.getPort();
    boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
    return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }

  /** The {@code host[:port]} part of a normalised origin, as a browser writes it in the Host header. */
  private static String authorityOf(String normalised) {
    return normalised.substring(normalised.indexOf("://") + 3);
  }
}
