package io.switchboard.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Mutations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Properties of the configuration parser (docs/configuration.md): whatever a YAML file, the environment or an
 * override holds, {@link SwitchboardConfig} either builds a configuration or throws a {@link ConfigException}
 * whose key names the setting at fault ({@code config} for the file as a whole), and a secret's value never
 * appears in the message.
 */
class SwitchboardConfigPropertyTest {
  private static final String SECRET_MARK = "S3CR3T-";
  /** The defaults, built once: what overrides apply to and what a file of default values must load to. */
  private static final SwitchboardConfig DEFAULTS = SwitchboardConfig.defaults();
  private static Path dir;

  @BeforeContainer
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("sb-config-props");
  }

  @AfterContainer
  static void removeDir() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }

  /** A configuration file that sets some keys to their documented defaults, nested as an operator writes it. */
  @Provide
  Arbitrary<String> validYaml() {
    return Arbitraries.of(ConfigKeys.all()).set().ofMinSize(1).ofMaxSize(12).map(keys -> {
      Map<String, Object> flat = new LinkedHashMap<>();
      keys.forEach(k -> flat.put(k.path(), k.defaultValue()));
      return dump(nest(flat));
    });
  }

  /** Values of every kind a setting should refuse or accept: wrong types, huge, negative, units, nesting. */
  @Provide
  Arbitrary<Object> oddValues() {
    return Arbitraries.oneOf(
        Arbitraries.of("", " ", "null", "~", "true", "no", "-1", "-0", "0", "1.5", "1e400", "NaN", "-Infinity",
            "99999999999999999999", "9223372036854775807", "-9223372036854775808", "5 GB", "99999999999 GiB",
            "9223372036854775807 k", "12 TB", "1.5s", "-3s", "1e400s", "99999999999999999999d", "3 fortnights",
            "a,b,,c", "[1,2", "{\"a\":", SECRET_MARK + "{", "2024-01-01", "0x10", "1_000").map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
        Arbitraries.just((Object) List.of(Map.of("a", 1))),
        Arbitraries.just((Object) List.of("a", "b")),
        Arbitraries.just((Object) Map.of("x", List.of(1, 2))),
        Arbitraries.integers().between(1, 45).map(d -> (Object) deepMap(d)),
        Arbitraries.just((Object) Boolean.TRUE),
        Arbitraries.just(null));
  }

  @Provide
  Arbitrary<Map<String, Object>> oddSettings() {
    return Arbitraries.maps(Arbitraries.of(ConfigKeys.all()).map(ConfigKey::path), oddValues()).ofMinSize(1).ofMaxSize(3);
  }

  @Property(tries = 100)
  void validFilesLoadToTheirValues(@ForAll("validYaml") String yaml) {
    SwitchboardConfig cfg = SwitchboardConfig.load(write(yaml), Map.of());
    assertThat(cfg.toMaskedJson()).isEqualTo(DEFAULTS.toMaskedJson());
  }

  @Property(tries = 300)
  void mutatedFilesLoadOrNameTheirFault(@ForAll("mutatedYaml") String yaml) {
    assertLoadsOrNamesAKey(() -> SwitchboardConfig.load(write(yaml), Map.of()), null);
  }

  @Provide
  Arbitrary<String> mutatedYaml() {
    return Mutations.mutated(validYaml());
  }

  /** A file with malformed UTF-8 is refused as a whole, without naming the decoder. */
  @Property(tries = 300)
  void mutatedFileBytesLoadOrNameTheirFault(@ForAll("mutatedYamlBytes") byte[] yaml) {
    assertLoadsOrNamesAKey(() -> SwitchboardConfig.load(write(yaml), Map.of()), null);
  }

  @Provide
  Arbitrary<byte[]> mutatedYamlBytes() {
    return Mutations.mutatedBytes(validYaml());
  }

  @Property(tries = 300)
  void randomFilesLoadOrNameTheirFault(@ForAll("randomYaml") String yaml) {
    assertLoadsOrNamesAKey(() -> SwitchboardConfig.load(write(yaml), Map.of()), null);
  }

  @Provide
  Arbitrary<String> randomYaml() {
    Arbitrary<String> yamlish = Arbitraries.strings().withChars("abhtpuo.:- \n\t[]{}'\"!&*#|>%@,0123456789").ofMaxLength(120);
    Arbitrary<String> deep = Arbitraries.integers().between(40, 5_000)
        .map(d -> Mutations.nested(d, "{a: ", "1", "}"));
    return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(200), yamlish, deep);
  }

  /** Keys in a file given values of another kind: the refusal names one of those keys. */
  @Property(tries = 400)
  void oddValuesInAFileAreRefusedByTheirKey(@ForAll("oddSettings") Map<String, Object> settings) {
    assertLoadsOrNamesAKey(() -> SwitchboardConfig.load(write(dump(nest(settings))), Map.of()), settings.keySet());
  }

  @Property(tries = 500)
  void oddEnvironmentValuesAreRefusedByTheirKey(@ForAll("oddSettings") Map<String, Object> settings) {
    Map<String, String> env = new LinkedHashMap<>();
    settings.forEach((path, v) -> env.put(ConfigKey.envName(path), v == null ? "" : String.valueOf(v)));
    env.put("SWITCHBOARD_NOT_A_KEY", "ignored");
    ConfigException e = assertLoadsOrNamesAKey(() -> SwitchboardConfig.load(null, env), settings.keySet());
    if (e != null) {
      assertThat(e.getMessage()).contains(ConfigKey.envName(e.key()));
    }
  }

  @Property(tries = 500)
  void oddOverridesAreRefusedByTheirKey(@ForAll("oddSettings") Map<String, Object> settings) {
    assertLoadsOrNamesAKey(() -> DEFAULTS.with(settings), settings.keySet());
  }

  @Property(tries = 1000)
  void durationsAndSizesAreNumbersOrRefusals(@ForAll("oddValues") Object v) {
    for (var parse : List.<Function<Object, Long>>of(SwitchboardConfig::parseDuration, SwitchboardConfig::parseBytes)) {
      try {
        assertThat(parse.apply(v)).isNotNegative();
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    }
  }

  private static ConfigException assertLoadsOrNamesAKey(Runnable load, Set<String> suspects) {
    try {
      load.run();
      return null;
    } catch (ConfigException e) {
      assertThat(e.key()).isNotBlank();
      assertThat(e.getMessage()).isNotBlank().doesNotContain("Exception", "java.", "io.switchboard");
      if (!e.key().equals("config")) {
        assertThat(e.getMessage()).contains(e.key());
      }
      if (suspects != null) {
        assertThat(e.key()).isIn(suspects);
      }
      ConfigKey k = ConfigKeys.get(e.key());
      if (k != null && k.secret()) {
        assertThat(e.getMessage()).doesNotContain(SECRET_MARK);
      }
      return e;
    }
  }

  private static Path write(String yaml) {
    return write(yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static Path write(byte[] yaml) {
    try {
      Path f = Files.createTempFile(dir, "sb", ".yaml");
      Files.write(f, yaml);
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> nest(Map<String, Object> flat) {
    Map<String, Object> root = new LinkedHashMap<>();
    flat.forEach((path, v) -> {
      String[] parts = path.split("\\.");
      Map<String, Object> m = root;
      for (int i = 0; i < parts.length - 1; i++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> next = (Map<String, Object>) m.computeIfAbsent(parts[i], p -> new LinkedHashMap<String, Object>());
        m = next;
      }
      m.put(parts[parts.length - 1], v);
    });
    return root;
  }

  private static Map<String, Object> deepMap(int depth) {
    Map<String, Object> m = Map.of("v", 1);
    for (int i = 0; i < depth; i++) {
      m = Map.of("a", m);
    }
    return m;
  }

  private static String dump(Map<String, Object> map) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(o).dump(map);
  }
}
