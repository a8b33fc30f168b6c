package io.switchboard.common.testing;

import static io.switchboard.common.testing.Await.await;

import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.node.SwitchboardNode;
import io.switchboard.common.node.SwitchboardService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts real Switchboard nodes inside the test JVM: each its own Vert.x, clustered over loopback Hazelcast with
 * a unique cluster name and its own port range, HTTP on a free port. Use one {@link Cluster} per test class.
 */
public final class TestNodes {
  private TestNodes() {}

  static {
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
  }

  /**
   * A free port below the ephemeral range (32768 up): a port the kernel handed out as ephemeral can be taken as the
   * source port of an outgoing connection before the node binds it.
   */
  public static int freePort() {
    return freePortRange(1);
  }

  /** A base port with {@code count} free ports after it (best effort), for a Hazelcast cluster of a test. */
  public static int freePortRange(int count) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20000 + (int) (Math.random() * (12000 - count));
      boolean ok = true;
      for (int p = base; p < base + count && ok; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1"))) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          ok = false;
        }
      }
      if (ok) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range");
  }

  /** A group of nodes sharing one cluster name and port range. */
  public static final class Cluster implements AutoCloseable {
    public final String name = "sb-test-" + UUID.randomUUID().toString().substring(0, 8);
    public final int basePort;
    private final int portCount;
    private final List<SwitchboardNode> nodes = new CopyOnWriteArrayList<>();

    public Cluster() {
      this(8);
    }

    public Cluster(int portCount) {
      this.portCount = portCount;
      this.basePort = freePortRange(portCount);
    }

    /** Configuration for a node of this cluster, with test-friendly defaults and the given overrides. */
    public SwitchboardConfig config(String nodeName, Map<String, Object> overrides) {
      Map<String, Object> o = new HashMap<>();
      o.put("node.name", nodeName);
      o.put("http.port", 0);
      o.put("http.host", "127.0.0.1");
      o.put("cluster.mode", "loopback");
      o.put("cluster.name", name);
      o.put("cluster.port", basePort);
      o.put("cluster.portCount", portCount);
      o.put("shutdown.drainDelay", "0");
      o.put("log.level", "warn");
      o.putAll(overrides);
      return SwitchboardConfig.defaults().with(o);
    }

    /** Starts a node and waits for it (30 s at most). */
    public SwitchboardNode start(String nodeName, List<SwitchboardService> services, Map<String, Object> overrides) {
      SwitchboardNode n = await(SwitchboardNode.start(config(nodeName, overrides), services));
      nodes.add(n);
      return n;
    }

    public SwitchboardNode start(String nodeName, List<SwitchboardService> services) {
      return start(nodeName, services, Map.of());
    }

    public List<SwitchboardNode> nodes() {
      return List.copyOf(nodes);
    }

    /** Stops one node gracefully (drain delay 0 unless configured). */
    public void stop(SwitchboardNode n) {
      nodes.remove(n);
      await(n.stop());
    }

    @Override
    public void close() {
      for (SwitchboardNode n : nodes) {
        try {
          await(n.stop());
        } catch (RuntimeException e) {
          // already stopped or failed: nothing more to release
        }
      }
      nodes.clear();
    }
  }
}
