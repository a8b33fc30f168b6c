package io.switchboard.common.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The effective configuration: declared defaults ← classpath {@code switchboard.yaml} ← the file named by
 * {@code --config}/{@code SWITCHBOARD_CONFIG} ← {@code SWITCHBOARD_*} environment variables. Every value is
 * parsed by its key's type at load, so a bad value stops start-up with a message naming the key.
 * Immutable once built; pure (no Vert.x), so it is tested without a running node.
 */
public final class SwitchboardConfig {
  public static final String MASK = "****";
  private static final Pattern DURATION = Pattern.compile("(?i)^\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?\\s*$");
  private static final Pattern BYTES = Pattern.compile("(?i)^\\s*(\\d+)\\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?\\s*$");

  private final Map<String, Object> values;
  private final Map<String, String> sources;

  private SwitchboardConfig(Map<String, Object> values, Map<String, String> sources) {
    this.values = values;
    this.sources = sources;
  }

  /** Defaults only (tests and tools). */
  public static SwitchboardConfig defaults() {
    return load(null, Map.of());
  }

  /**
   * Loads the configuration.
   *
   * @param file a YAML file to read on top of the classpath one, or null
   * @param env the environment (System.getenv() in production)
   */
  public static SwitchboardConfig load(Path file, Map<String, String> env) {
    Map<String, Object> raw = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    for (ConfigKey k : ConfigKeys.all()) {
      raw.put(k.path(), k.defaultValue());
      sources.put(k.path(), "default");
    }
    try (InputStream in = SwitchboardConfig.class.getClassLoader().getResourceAsStream("switchboard.yaml")) {
      if (in != null) {
        mergeYaml(raw, sources, readYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath switchboard.yaml"), "classpath switchboard.yaml");
      }
    } catch (IOException e) {
      throw new ConfigException("config", "cannot read classpath switchboard.yaml: " + e.getMessage());
    }
    if (file != null) {
      String text;
      try {
        text = Files.readString(file);
      } catch (CharacterCodingException e) {
        throw new ConfigException("config", "cannot read configuration file " + file + ": it is not valid UTF-8");
      } catch (NoSuchFileException e) {
        throw new ConfigException("config", "cannot read configuration file " + file + ": no such file");
      } catch (AccessDeniedException e) {
        throw new ConfigException("config", "cannot read configuration file " + file + ": permission denied");
      } catch (IOException e) {
        throw new ConfigException("config", "cannot read configuration file " + file + ": " + e.getMessage());
      }
      mergeYaml(raw, sources, readYaml(text, file.toString()), file.toString());
    }
    for (ConfigKey k : ConfigKeys.all()) {
      String v = env.get(k.envName());
      if (v != null) {
        raw.put(k.path(), v);
        sources.put(k.path(), "environment " + k.envName());
      }
    }
    Map<String, Object> parsed = new LinkedHashMap<>();
    for (ConfigKey k : ConfigKeys.all()) {
      parsed.put(k.path(), parse(k, raw.get(k.path()), sources.get(k.path())));
    }
    return new SwitchboardConfig(parsed, sources);
  }

  private static Map<String, Object> readYaml(String text, String where) {
    try {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      if (doc == null) {
        return Map.of();
      }
      if (!(doc instanceof Map<?, ?> m)) {
        throw new ConfigException("config", where + ": the top level must be a map of keys");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return map;
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ConfigException("config", where + " is not valid YAML: " + e.getMessage());
    }
  }

  private static void mergeYaml(Map<String, Object> raw, Map<String, String> sources, Map<String, Object> yaml, String where) {
    flatten("", yaml, raw, sources, where);
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> raw, Map<String, String> sources, String where) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String path = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
      ConfigKey k = ConfigKeys.get(path);
      if (k != null) {
        raw.put(path, e.getValue());
        sources.put(path, where);
      } else if (e.getValue() instanceof Map<?, ?> nested && hasKeysUnder(path)) {
        flatten(path, nested, raw, sources, where);
      } else {
        throw new ConfigException(path, "unknown configuration key '" + path + "' in " + where
            + " (see docs/configuration.md for the keys)");
      }
    }
  }

  private static boolean hasKeysUnder(String prefix) {
    String p = prefix + ".";
    return ConfigKeys.all().stream().anyMatch(k -> k.path().startsWith(p));
  }

  private static Object parse(ConfigKey k, Object v, String source) {
    try {
      return parseValue(k, v);
    } catch (IllegalArgumentException e) {
      String shown = k.secret() ? MASK : String.valueOf(v);
      throw new ConfigException(k.path(), "invalid value for configuration key '" + k.path() + "' (env "
          + k.envName() + ", from " + source + "): '" + shown + "': " + e.getMessage());
    }
  }

  static Object parseValue(ConfigKey k, Object v) {
    switch (k.type()) {
      case STRING:
        return v == null ? "" : String.valueOf(v);
      case INT:
      case LONG: {
        long n = parseLong(v);
        checkBounds(k, n);
        if (k.type() == ConfigType.INT && (n > Integer.MAX_VALUE || n < Integer.MIN_VALUE)) {
          throw new IllegalArgumentException("out of range for an integer");
        }
        return k.type() == ConfigType.INT ? (Object) (int) n : (Object) n;
      }
      case DOUBLE: {
        double d;
        try {
          d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a number");
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new IllegalArgumentException("not a finite number");
        }
        checkBounds(k, d);
        return d;
      }
      case BOOLEAN: {
        if (v instanceof Boolean b) {
          return b;
        }
        String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("yes") || s.equals("on") || s.equals("1")) {
          return true;
        }
        if (s.equals("false") || s.equals("no") || s.equals("off") || s.equals("0")) {
          return false;
        }
        throw new IllegalArgumentException("expected true or false");
      }
      case DURATION: {
        long ms = parseDuration(v);
        checkBounds(k, ms);
        return ms;
      }
      case BYTES: {
        long b = parseBytes(v);
        checkBounds(k, b);
        return b;
      }
      case LIST: {
        List<String> list = parseList(v);
        if (!k.allowed().isEmpty()) {
          for (String s : list) {
            if (!k.allowed().contains(s)) {
              throw new IllegalArgumentException("'" + s + "' is not one of " + k.allowed());
            }
          }
        }
        return List.copyOf(list);
      }
      case ENUM: {
        String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        if (!k.allowed().contains(s)) {
          throw new IllegalArgumentException("expected one of " + k.allowed());
        }
        return s;
      }
      case JSON: {
        if (v == null) {
          return null;
        }
        if (v instanceof String s) {
          if (s.isBlank()) {
            return null;
          }
          try {
            return Json.decodeValue(s);
          } catch (DecodeException e) {
            throw new IllegalArgumentException("not valid JSON");
          }
        }
        return toJsonValue(v);
      }
      default:
        throw new IllegalStateException("unknown type " + k.type());
    }
  }

  private static Object toJsonValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      JsonObject o = new JsonObject();
      m.forEach((key, val) -> o.put(String.valueOf(key), toJsonValue(val)));
      return o;
    }
    if (v instanceof Collection<?> c) {
      JsonArray a = new JsonArray();
      c.forEach(x -> a.add(toJsonValue(x)));
      return a;
    }
    return v;
  }

  private static void checkBounds(ConfigKey k, double n) {
    if (k.min() != null && n < k.min()) {
      throw new IllegalArgumentException("must be at least " + fmt(k.min()));
    }
    if (k.max() != null && n > k.max()) {
      throw new IllegalArgumentException("must be at most " + fmt(k.max()));
    }
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static long parseLong(Object v) {
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    try {
      return Long.parseLong(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an integer");
    }
  }

  /** Milliseconds from a number (ms) or a number with unit ms, s, m, h, d. */
  public static long parseDuration(Object v) {
    if (v instanceof Integer || v instanceof Long) {
      long n = ((Number) v).longValue();
      if (n < 0) {
        throw new IllegalArgumentException("a duration cannot be negative");
      }
      return n;
    }
    Matcher m = DURATION.matcher(String.valueOf(v));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration (use e.g. 500ms, 2s, 5m, 1h)");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
    double factor = switch (unit) {
      case "ms" -> 1;
      case "s" -> 1000;
      case "m" -> 60_000;
      case "h" -> 3_600_000;
      default -> 86_400_000;
    };
    return Math.round(n * factor);
  }

  /** Bytes from a number or a number with unit (KB/KiB/K = 1024, MB/MiB/M, GB/GiB/G). */
  public static long parseBytes(Object v) {
    if (v instanceof Integer || v instanceof Long) {
      long n = ((Number) v).longValue();
      if (n < 0) {
        throw new IllegalArgumentException("a size cannot be negative");
      }
      return n;
    }
    Matcher m = BYTES.matcher(String.valueOf(v));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size in bytes (use e.g. 65536, 64KiB, 1MiB)");
    }
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor = switch (unit.charAt(0)) {
      case 'k' -> 1024L;
      case 'm' -> 1024L * 1024;
      case 'g' -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("too large a size (at most " + Long.MAX_VALUE + " bytes)");
    }
  }

  private static List<String> parseList(Object v) {
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v instanceof Collection<?> c) {
      for (Object o : c) {
        if (o instanceof Map || o instanceof Collection) {
          throw new IllegalArgumentException("expected a list of words");
        }
        String s = String.valueOf(o).trim();
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
      return out;
    }
    Arrays.stream(String.valueOf(v).split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }

  // ---- typed access -------------------------------------------------------------------------------------

  private Object value(String path) {
    if (!values.containsKey(path)) {
      throw new IllegalArgumentException("undeclared configuration key " + path);
    }
    return values.get(path);
  }

  public String getString(String path) {
    return (String) value(path);
  }

  public int getInt(String path) {
    return (Integer) value(path);
  }

  public long getLong(String path) {
    Object v = value(path);
    return ((Number) v).longValue();
  }

  public double getDouble(String path) {
    return ((Number) value(path)).doubleValue();
  }

  public boolean getBoolean(String path) {
    return (Boolean) value(path);
  }

  /** Durations in milliseconds. */
  public long getDurationMs(String path) {
    return (Long) value(path);
  }

  public long getBytes(String path) {
    return (Long) value(path);
  }

  @SuppressWarnings("unchecked")
  public List<String> getList(String path) {
    return (List<String>) value(path);
  }

  /** A JSON key's value: a JsonObject, JsonArray, scalar or null. */
  public Object getJson(String path) {
    return value(path);
  }

  /** Where a key's value came from (default, a file, or an environment variable). */
  public String sourceOf(String path) {
    return sources.get(path);
  }

  /**
   * Returns a copy with some values replaced (tests and the launcher's derived values). Values are parsed
   * by their key's type, as from YAML.
   */
  public SwitchboardConfig with(Map<String, Object> overrides) {
    Map<String, Object> copy = new LinkedHashMap<>(values);
    Map<String, String> src = new LinkedHashMap<>(sources);
    overrides.forEach((path, v) -> {
      ConfigKey k = ConfigKeys.get(path);
      if (k == null) {
        throw new ConfigException(path, "unknown configuration key '" + path + "'");
      }
      copy.put(path, parse(k, v, "override"));
      src.put(path, "override");
    });
    return new SwitchboardConfig(copy, src);
  }

  /** The effective configuration as nested JSON, secrets masked: what {@code GET /config} shows. */
  public JsonObject toMaskedJson() {
    JsonObject root = new JsonObject();
    for (ConfigKey k : ConfigKeys.all()) {
      Object v = values.get(k.path());
      Object shown = v;
      if (k.secret() && v != null && !isEmpty(v)) {
        shown = MASK;
      } else if (v instanceof List<?> l) {
        shown = new JsonArray(new ArrayList<>(l));
      }
      String[] parts = k.path().split("\\.");
      JsonObject o = root;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonObject next = o.getJsonObject(parts[i]);
        if (next == null) {
          next = new JsonObject();
          o.put(parts[i], next);
        }
        o = next;
      }
      o.put(parts[parts.length - 1], shown);
    }
    return root;
  }

  private static boolean isEmpty(Object v) {
    if (v instanceof String s) {
      return s.isEmpty();
    }
    if (v instanceof Collection<?> c) {
      return c.isEmpty();
    }
    if (v instanceof JsonArray a) {
      return a.isEmpty();
    }
    return false;
  }

}
