package io.switchboard.common.config;

import java.util.List;

/**
 * Renders docs/configuration.md from {@link ConfigKeys}, so the reference cannot drift from the code
 * (a test compares the file with this output). Regenerate with:
 * {@code java -cp launcher/target/switchboard.jar io.switchboard.common.config.ConfigDocs > docs/configuration.md}
 */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static void main(String[] args) {
    System.out.print(render());
  }

  public static String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Configuration reference\n\n")
        .append("<!-- Generated from ConfigKeys.java by io.switchboard.common.config.ConfigDocs; do not edit by hand. -->\n\n")
        .append("Switchboard reads, in order, each overriding the one before:\n\n")
        .append("1. the defaults below;\n")
        .append("2. `switchboard.yaml` on the classpath (shipped in the jar);\n")
        .append("3. the YAML file named by `--config FILE` or `SWITCHBOARD_CONFIG`;\n")
        .append("4. environment variables `SWITCHBOARD_<PATH>`: the key's path upper-cased, dots and camelCase word\n")
        .append("   breaks turned into underscores (`hub.rateLimit` → `SWITCHBOARD_HUB_RATE_LIMIT`).\n\n")
        .append("In YAML, dotted paths are nested maps (`hub: {rateLimit: 500}`). Every value is checked against its\n")
        .append("key's type when the node starts; a bad value, or a key that is not listed here, stops start-up with a\n")
        .append("message naming the key (exit code 2). Environment values stay strings until the key's type is known,\n")
        .append("so `SWITCHBOARD_NODE_NAME=0123` stays `\"0123\"`. A `SWITCHBOARD_*` variable that is no key stops start-up\n")
        .append("too, naming the nearest key (`SWITCHBOARD_HUB_RATELIMIT` → `hub.rateLimit`); only `SWITCHBOARD_CONFIG` and\n")
        .append("the command line's `SWITCHBOARD_URL` and `SWITCHBOARD_TOKEN` are no keys. `GET /config` shows the effective configuration with\n")
        .append("secrets masked; `java -jar switchboard.jar --print-config` prints it without starting.\n\n")
        .append("Types: durations are milliseconds or a number with a unit (`500ms`, `2s`, `5m`, `1h`); sizes are bytes\n")
        .append("or a number with a unit (`64KiB`, `1MiB`); lists are YAML lists or comma-separated strings; JSON keys\n")
        .append("take YAML structures in a file, or a JSON string in the environment.\n\n");
    String section = null;
    for (ConfigKey k : ConfigKeys.all()) {
      String s = k.path().contains(".") ? k.path().substring(0, k.path().indexOf('.')) : "node";
      if (!s.equals(section)) {
        section = s;
        sb.append("\n## ").append(section).append("\n\n")
            .append("| key | environment | type | default | description |\n")
            .append("|---|---|---|---|---|\n");
      }
      sb.append("| `").append(k.path()).append("` | `").append(k.envName()).append("` | ").append(type(k))
          .append(" | ").append(def(k)).append(" | ").append(k.description().replace("|", "\\|"))
          .append(k.secret() ? " **Secret**: masked in `/config` and logs." : "").append(" |\n");
    }
    return sb.toString();
  }

  private static String type(ConfigKey k) {
    String t = k.type().name().toLowerCase();
    if (!k.allowed().isEmpty()) {
      t += " (" + String.join(", ", k.allowed()) + ")";
    }
    if (k.min() != null || k.max() != null) {
      t += " [" + (k.min() == null ? "" : fmt(k.min())) + "…" + (k.max() == null ? "" : fmt(k.max())) + "]";
    }
    return t;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static String def(ConfigKey k) {
    Object d = k.defaultValue();
    if (d == null) {
      return "*(none)*";
    }
    if (d instanceof List<?> l && l.isEmpty()) {
      return "`[]`";
    }
    String s = String.valueOf(d);
    return s.isEmpty() ? "*(empty)*" : "`" + s.replace("|", "\\|") + "`";
  }
}
