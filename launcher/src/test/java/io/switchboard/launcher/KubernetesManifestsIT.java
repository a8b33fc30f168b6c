package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.switchboard.common.config.ConfigKey;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.testing.TestNodes;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Every overlay renders with kubectl kustomize; every probe path and port in the rendered manifests is one a
 * running node of that role actually serves; the ConfigMap is a valid configuration and every SWITCHBOARD_*
 * variable set in a Deployment is a real key.
 */
class KubernetesManifestsIT {
  static final Path K8S = Path.of("..", "k8s");

  static String kubectl() {
    for (String p : List.of("/usr/bin/kubectl", "/usr/local/bin/kubectl")) {
      if (new File(p).canExecute()) {
        return p;
      }
    }
    fail("kubectl is not installed: apt-get install kubernetes-client (.ci/run does this)");
    return null;
  }

  static String render(Path dir) throws Exception {
    Process p = new ProcessBuilder(kubectl(), "kustomize", dir.toString()).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize %s: %s", dir, err).isZero();
    return out;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> docs(String yaml) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
      if (o instanceof Map<?, ?> m) {
        out.add((Map<String, Object>) m);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static <T> T at(Object node, String... path) {
    Object cur = node;
    for (String p : path) {
      if (cur instanceof Map<?, ?> m) {
        cur = m.get(p);
      } else if (cur instanceof List<?> l) {
        cur = l.get(Integer.parseInt(p));
      } else {
        return null;
      }
    }
    return (T) cur;
  }

  /**
   * The NetworkPolicy admits the Hazelcast port and the (fixed) event-bus port of the ConfigMap only from Switchboard
   * pods, for every Switchboard pod: no rule opens them to anyone else.
   */
  @SuppressWarnings("unchecked")
  static void assertClusterPortsClosedToOthers(List<Map<String, Object>> docs, SwitchboardConfig cfg) {
    int hazelcast = cfg.getInt(ConfigKeys.CLUSTER_PORT);
    int bus = cfg.getInt(ConfigKeys.EVENTBUS_PORT);
    assertThat(bus).as("eventBus.port must be fixed for the NetworkPolicy").isPositive();
    Map<String, Object> policy = docs.stream().filter(d -> "NetworkPolicy".equals(d.get("kind"))).findFirst()
        .orElseThrow(() -> new AssertionError("no NetworkPolicy in the rendered manifests"));
    assertThat((Map<String, Object>) at(policy, "spec", "podSelector", "matchLabels"))
        .containsEntry("app.kubernetes.io/name", "switchboard");
    assertThat((List<String>) at(policy, "spec", "policyTypes")).contains("Ingress");
    Set<Integer> fromSwitchboard = new HashSet<>();
    for (Map<String, Object> rule : (List<Map<String, Object>>) at(policy, "spec", "ingress")) {
      List<Map<String, Object>> from = (List<Map<String, Object>>) rule.get("from");
      boolean onlySwitchboard = from != null && !from.isEmpty() && from.stream().allMatch(f -> f.keySet().equals(Set.of("podSelector"))
          && "switchboard".equals(at(f, "podSelector", "matchLabels", "app.kubernetes.io/name")));
      List<Map<String, Object>> ports = (List<Map<String, Object>>) rule.get("ports");
      assertThat(ports).as("an ingress rule without ports opens every port").isNotNull();
      for (Map<String, Object> p : ports) {
        int port = (Integer) p.get("port");
        if (onlySwitchboard) {
          fromSwitchboard.add(port);
        } else {
          assertThat(port).as("port %d is opened to pods other than Switchboard's", port).isNotIn(hazelcast, bus);
        }
      }
    }
    assertThat(fromSwitchboard).contains(hazelcast, bus);
  }

  /** A probe to check: which role's pod, which path, which port number. */
  record Probe(String role, String kind, String path, int port) {}

  @Test
  @SuppressWarnings("unchecked")
  void everyOverlayRendersAndEveryProbeIsServed() throws Exception {
    List<Path> dirs = new ArrayList<>(List.of(K8S.resolve("base")));
    try (var s = Files.list(K8S.resolve("overlays"))) {
      s.filter(Files::isDirectory).forEach(dirs::add);
    }
    Set<String> envNames = new HashSet<>();
    for (ConfigKey k : ConfigKeys.all()) {
      envNames.add(k.envName());
    }
    envNames.add("SWITCHBOARD_CONFIG");
    List<Probe> probes = new ArrayList<>();
    for (Path dir : dirs) {
      List<Map<String, Object>> docs = docs(render(dir));
      Map<String, Object> configMap = docs.stream().filter(d -> "ConfigMap".equals(d.get("kind"))).findFirst().orElseThrow();
      String yaml = at(configMap, "data", "switchboard.yaml");
      Path cfgFile = Files.createTempFile("k8s-config", ".yaml");
      Files.writeString(cfgFile, yaml);
      // the shipped ConfigMap must be a valid configuration
      SwitchboardConfig cfg = SwitchboardConfig.load(cfgFile, Map.of());
      int httpPort = cfg.getInt(ConfigKeys.HTTP_PORT);
      assertClusterPortsClosedToOthers(docs, cfg);
      for (Map<String, Object> d : docs) {
        if (!"Deployment".equals(d.get("kind"))) {
          continue;
        }
        Map<String, Object> spec = at(d, "spec", "template", "spec");
        assertThat(spec.get("enableServiceLinks")).as("enableServiceLinks in %s", (String) at(d, "metadata", "name")).isEqualTo(false);
        Map<String, Object> c = at(spec, "containers", "0");
        String role = null;
        for (Map<String, Object> e : (List<Map<String, Object>>) c.get("env")) {
          String name = (String) e.get("name");
          if (name.startsWith("SWITCHBOARD_")) {
            assertThat(envNames).as("%s sets %s, which is no configuration key", (String) at(d, "metadata", "name"), name).contains(name);
          }
          if (name.equals("SWITCHBOARD_SERVICES")) {
            role = (String) e.get("value");
          }
        }
        assertThat(role).as("SWITCHBOARD_SERVICES in %s", (String) at(d, "metadata", "name")).isNotNull();
        Map<String, Integer> ports = new HashMap<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) c.get("ports")) {
          ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
        }
        assertThat(ports.get("http")).as("container port http equals http.port of the ConfigMap").isEqualTo(httpPort);
        assertThat(ports.get("eventbus")).as("container port eventbus equals eventBus.port of the ConfigMap")
            .isEqualTo(cfg.getInt(ConfigKeys.EVENTBUS_PORT));
        for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
          Map<String, Object> probe = (Map<String, Object>) c.get(kind);
          assertThat(probe).as("%s of %s", kind, (String) at(d, "metadata", "name")).isNotNull();
          Object port = at(probe, "httpGet", "port");
          int number = port instanceof Integer i ? i : ports.get((String) port);
          probes.add(new Probe(role, kind, at(probe, "httpGet", "path"), number));
        }
      }
    }
    assertThat(probes).isNotEmpty();
    // Start one real node per role with the ConfigMap's port, and ask each probe path.
    Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    try {
      for (Probe p : probes) {
        nodes.computeIfAbsent(p.role(), role -> {
          int port = TestNodes.freePort();
          Map<String, String> env = NodeProcess.env("unused", 5701, "k8s-" + role, port);
          env.put("SWITCHBOARD_CLUSTER_MODE", "none");
          env.put("SWITCHBOARD_SERVICES", role);
          try {
            return NodeProcess.start("k8s-" + role, port, env);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      }
      for (NodeProcess n : nodes.values()) {
        n.awaitReady(Duration.ofSeconds(60));
      }
      for (Probe p : probes) {
        assertThat(p.port()).isEqualTo(8080);
        NodeProcess n = nodes.get(p.role());
        assertThat(n.get(p.path()).status()).as("%s %s on a %s node", p.kind(), p.path(), p.role()).isEqualTo(200);
      }
    } finally {
      nodes.values().forEach(NodeProcess::close);
    }
  }
}
