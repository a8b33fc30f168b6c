package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The node binds its cluster ports only to the interfaces its configuration names (docs/operations.md, "Network
 * exposure"). Read from the node process's own listening sockets ({@code /proc/PID/net/tcp*} joined with the
 * socket inodes in {@code /proc/PID/fd}); no traffic goes to any address but 127.0.0.1.
 */
class ClusterBindingIT {

  /** A listening TCP socket: its local address as text (IPv4 dotted or IPv6 hex) and port. */
  record Listener(String address, int port) {
    boolean loopback() {
      return address.equals("127.0.0.1") || address.equals("0000000000000000FFFF00000100007F")
          || address.equals("00000000000000000000000001000000");
    }
  }

  @Test
  void loopbackModeListensOnlyOn127001() throws Exception {
    int clusterPort = TestNodes.freePortRange(8);
    int http = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env("sb-bind-" + UUID.randomUUID().toString().substring(0, 8), clusterPort, "bind-loopback", http);
    try (NodeProcess node = NodeProcess.start("bind-loopback", http, env)) {
      node.awaitReady(Duration.ofSeconds(60));
      assertOnlyLoopback(node, clusterPort);
    }
  }

  @Test
  void tcpModeListensOnlyOnTheNamedHost() throws Exception {
    int clusterPort = TestNodes.freePortRange(8);
    int http = TestNodes.freePort();
    Map<String, String> env = NodeProcess.env("sb-bind-" + UUID.randomUUID().toString().substring(0, 8), clusterPort, "bind-tcp", http);
    env.put("SWITCHBOARD_CLUSTER_MODE", "tcp");
    env.put("SWITCHBOARD_CLUSTER_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort);
    try (NodeProcess node = NodeProcess.start("bind-tcp", http, env)) {
      node.awaitReady(Duration.ofSeconds(60));
      assertOnlyLoopback(node, clusterPort);
    }
  }

  private static void assertOnlyLoopback(NodeProcess node, int clusterPort) throws IOException {
    List<Listener> listeners = listeners(node.pid());
    // HTTP (http.host is 127.0.0.1 in the test), the Hazelcast member port and the event bus
    assertThat(listeners).as("listening sockets of " + node.name).hasSizeGreaterThanOrEqualTo(3);
    assertThat(listeners).as("the Hazelcast member port is among them")
        .anyMatch(l -> l.port() >= clusterPort && l.port() < clusterPort + 8);
    assertThat(listeners).as("every listening socket is bound to 127.0.0.1, none to every interface")
        .allMatch(Listener::loopback);
  }

  /** The TCP sockets in LISTEN state that belong to process {@code pid}. */
  static List<Listener> listeners(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException gone) {
          // the descriptor closed while listed
        }
      }
    }
    List<Listener> out = new ArrayList<>();
    for (String table : List.of("tcp", "tcp6")) {
      Path p = Path.of("/proc", Long.toString(pid), "net", table);
      if (!Files.exists(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length < 10 || !f[3].equals("0A") || !inodes.contains(f[9])) {
          continue;
        }
        String[] local = f[1].split(":");
        out.add(new Listener(table.equals("tcp") ? ipv4(local[0]) : local[0], Integer.parseInt(local[1], 16)));
      }
    }
    return out;
  }

  /** /proc/net/tcp writes an IPv4 address as one little-endian hex word. */
  private static String ipv4(String hex) {
    long v = Long.parseLong(hex, 16);
    return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
  }
}
