package io.switchboard.common.config;

import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks the {@code SWITCHBOARD_*} environment variables: each must map to a configuration key (or be one of
 * {@link #NOT_KEYS}), so a misspelt variable stops start-up as a misspelt YAML key does, naming the nearest key.
 */
final class EnvironmentKeys {
  /**
   * Variables that are no configuration key: the launcher's {@code SWITCHBOARD_CONFIG} (the file) and the command
   * line's {@code SWITCHBOARD_URL} and {@code SWITCHBOARD_TOKEN} (docs/operations.md, "Command line").
   */
  static final Set<String> NOT_KEYS = Set.of("SWITCHBOARD_CONFIG", "SWITCHBOARD_URL", "SWITCHBOARD_TOKEN");
  private static final String PREFIX = "SWITCHBOARD_";

  private EnvironmentKeys() {}

  /** Throws a ConfigException for the first unknown {@code SWITCHBOARD_*} variable (by name), naming the nearest key. */
  static void check(Map<String, String> env) {
    env.keySet().stream().filter(n -> n.startsWith(PREFIX)).sorted().forEach(name -> {
      if (NOT_KEYS.contains(name) || ConfigKeys.all().stream().anyMatch(k -> k.envName().equals(name))) {
        return;
      }
      ConfigKey near = nearest(name);
      throw new ConfigException(near.path(), "unknown environment variable " + name
          + ": no configuration key maps to it; did you mean " + near.envName() + " (configuration key '" + near.path()
          + "')? (see docs/configuration.md for the keys)");
    });
  }

  /** The key whose variable is nearest to {@code name}: fewest edits ignoring underscores and case, then with them. */
  static ConfigKey nearest(String name) {
    String loose = loose(name);
    return ConfigKeys.all().stream()
        .min(Comparator.<ConfigKey>comparingInt(k -> distance(loose, loose(k.envName())))
            .thenComparingInt(k -> distance(name, k.envName())))
        .orElseThrow();
  }

  private static String loose(String s) {
    return s.replace("_", "").toUpperCase(Locale.ROOT);
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
