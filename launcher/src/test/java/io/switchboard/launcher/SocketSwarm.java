package io.switchboard.launcher;

import io.switchboard.common.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Thousands of TCP connections to one port from one thread (non-blocking NIO), spread over several 127.0.0.x
 * source addresses: each connects, writes the same opening bytes once (a whole WebSocket upgrade request that is
 * never followed by HAIP's HAI, or half an HTTP request that is never finished), then only reads and drops what
 * arrives. The swarm records, per connection, the HTTP status it was answered with and whether (and when) the
 * server closed it. It writes nothing else, so every close it sees is the server's doing.
 */
final class SocketSwarm implements AutoCloseable {
  private final Selector selector;
  private final Thread loop;
  private final List<SocketChannel> channels = new ArrayList<>();
  private final ConcurrentLinkedQueue<SocketChannel> pending = new ConcurrentLinkedQueue<>();
  private final byte[] opening;
  private volatile boolean running = true;
  final AtomicInteger connected = new AtomicInteger();
  final AtomicInteger connectFailed = new AtomicInteger();
  final AtomicInteger closedByServer = new AtomicInteger();
  private final Map<Integer, Integer> statuses = new TreeMap<>();
  private final long startNanos = System.nanoTime();

  /** Per connection: the first bytes read (for the status line) and whether it is over. */
  private static final class Conn {
    final StringBuilder head = new StringBuilder();
    boolean statusSeen;
    boolean over;
  }

  private SocketSwarm(byte[] opening) throws IOException {
    this.opening = opening;
    this.selector = Selector.open();
    this.loop = new Thread(this::run, "socket-swarm");
    loop.setDaemon(true);
    loop.start();
  }

  /** An upgrade request for {@code path}, complete: the server upgrades it and then waits for HAI. */
  static byte[] upgradeRequest(int port, String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + RawWebSocket.key() + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The same request without its last header line and blank line: the server is left waiting for the rest. */
  static byte[] halfUpgradeRequest(int port, String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * How many connections per second a swarm opens ({@code -Dhostile.swarm.rate}). The swarm runs on the node's own
   * 2 cores: unpaced, the test JVM's connect burst alone starves the node it measures. 2,500/s opens 10,000 sockets
   * in 4 s, far faster than any client the limits are for.
   */
  static final int RATE = Integer.getInteger("hostile.swarm.rate", 2_500);
  /** How often the waits below look at the counters. */
  private static final Duration POLL = Duration.ofMillis(50);

  /**
   * Opens {@code count} connections to 127.0.0.1:port at {@link #RATE} per second, round-robin over {@code sources},
   * each writing {@code opening}. Returns once every connect was started (their completion is counted in
   * {@link #connected}).
   */
  static SocketSwarm open(int count, List<InetAddress> sources, int port, byte[] opening) throws IOException {
    return open(count, sources, port, opening, RATE);
  }

  /** The same at {@code perSecond} connections per second. */
  static SocketSwarm open(int count, List<InetAddress> sources, int port, byte[] opening, int perSecond) throws IOException {
    SocketSwarm s = new SocketSwarm(opening);
    InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long due = t0 + i * 1_000_000_000L / perSecond;
      for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
        LockSupport.parkNanos(due - now);
      }
      SocketChannel ch = SocketChannel.open();
      try {
        ch.configureBlocking(false);
        ch.bind(new InetSocketAddress(sources.get(i % sources.size()), 0));
        ch.connect(target);
      } catch (IOException e) {
        s.connectFailed.incrementAndGet();
        ch.close();
        continue;
      }
      s.channels.add(ch);
      s.pending.add(ch);
      if (i % 256 == 255) {
        s.selector.wakeup();
      }
    }
    s.selector.wakeup();
    return s;
  }

  private void run() {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    while (running) {
      try {
        SocketChannel ch;
        while ((ch = pending.poll()) != null) {
          try {
            if (ch.isConnected()) {
              // connect() finished at once: no OP_CONNECT will come, so the opening bytes go now
              connected.incrementAndGet();
              ByteBuffer b = ByteBuffer.wrap(opening);
              ch.write(b);
              ch.register(selector, SelectionKey.OP_READ, new Conn());
            } else {
              ch.register(selector, SelectionKey.OP_CONNECT, new Conn());
            }
          } catch (IOException e) {
            connectFailed.incrementAndGet();
            closeQuietly(ch);
          }
        }
        selector.select(50);
        for (SelectionKey k : selector.selectedKeys()) {
          handle(k, buf);
        }
        selector.selectedKeys().clear();
      } catch (IOException | RuntimeException e) {
        if (!running) {
          return;
        }
      }
    }
  }

  private void handle(SelectionKey k, ByteBuffer buf) {
    SocketChannel ch = (SocketChannel) k.channel();
    Conn c = (Conn) k.attachment();
    try {
      if (k.isConnectable()) {
        ch.finishConnect();
        connected.incrementAndGet();
        ByteBuffer b = ByteBuffer.wrap(opening);
        ch.write(b);
        if (b.hasRemaining()) {
          throw new IOException("opening bytes did not fit the send buffer");
        }
        k.interestOps(SelectionKey.OP_READ);
        return;
      }
      if (k.isReadable()) {
        buf.clear();
        int n = ch.read(buf);
        if (n < 0) {
          over(k, c, true);
          return;
        }
        if (!c.statusSeen) {
          c.head.append(new String(buf.array(), 0, Math.min(n, 64), StandardCharsets.ISO_8859_1));
          if (c.head.length() >= 12) {
            c.statusSeen = true;
            int status = -1;
            if (c.head.toString().startsWith("HTTP/1.1 ")) {
              try {
                status = Integer.parseInt(c.head.substring(9, 12));
              } catch (NumberFormatException e) {
                status = -1;
              }
            }
            synchronized (statuses) {
              statuses.merge(status, 1, Integer::sum);
            }
            c.head.setLength(0);
          }
        }
      }
    } catch (IOException e) {
      if (k.isValid() && (k.interestOps() & SelectionKey.OP_CONNECT) != 0 && !c.over) {
        c.over = true;
        connectFailed.incrementAndGet();
        k.cancel();
        closeQuietly(ch);
      } else {
        over(k, c, true);
      }
    }
  }

  private void over(SelectionKey k, Conn c, boolean byServer) {
    if (!c.over) {
      c.over = true;
      if (byServer) {
        closedByServer.incrementAndGet();
      }
    }
    k.cancel();
    closeQuietly((SocketChannel) k.channel());
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** How many connections were started (connect issued without a local error). */
  int started() {
    return channels.size();
  }

  /** HTTP status of each answered connection (-1: bytes that were not an HTTP status line) → count. */
  Map<Integer, Integer> statuses() {
    synchronized (statuses) {
      return new TreeMap<>(statuses);
    }
  }

  int answered(int status) {
    return statuses().getOrDefault(status, 0);
  }

  /** Waits until every started connection has connected or failed; false after the timeout. */
  boolean awaitConnects(Duration timeout) {
    return Await.within(timeout, POLL, () -> connected.get() + connectFailed.get() >= channels.size());
  }

  /** Waits until at least {@code n} connections were closed by the server; false after the timeout. */
  boolean awaitClosedByServer(int n, Duration timeout) {
    return Await.within(timeout, POLL, () -> closedByServer.get() >= n);
  }

  String describe() {
    return String.format("started %d, connected %d, connect failures %d, closed by the server %d, answers %s, after %d ms",
        channels.size(), connected.get(), connectFailed.get(), closedByServer.get(), statuses(),
        (System.nanoTime() - startNanos) / 1_000_000);
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SocketChannel ch : channels) {
      closeQuietly(ch);
    }
    try {
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
