package io.switchboard.common.config;

import java.util.List;
import java.util.Locale;

/**
 * One configuration key: its dotted path, type, default (as written in YAML), whether it is a secret
 * (masked in {@code GET /config} and logs), the allowed words for enums, bounds, and a line of documentation.
 */
public record ConfigKey(
    String path,
    ConfigType type,
    Object defaultValue,
    boolean secret,
    List<String> allowed,
    Double min,
    Double max,
    String description) {

  /** The environment variable that overrides this key: {@code hub.rateLimit} → {@code SWITCHBOARD_HUB_RATE_LIMIT}. */
  public String envName() {
    return envName(path);
  }

  public static String envName(String path) {
    StringBuilder sb = new StringBuilder("SWITCHBOARD_");
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '.' || c == '-') {
        sb.append('_');
      } else if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(path.charAt(i - 1))) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }
}
