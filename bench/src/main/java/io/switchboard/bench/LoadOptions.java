package io.switchboard.bench;

import java.net.URI;
import java.util.List;

/** What one load run does; filled from the command line by {@link LoadCommand}. */
public final class LoadOptions {
  /** echo: client sessions on a tool; idle: handshaken sessions only; monitor: one driver and /ws subscribers. */
  public enum Scenario { echo, idle, monitor }

  public List<URI> urls = List.of(URI.create("ws://127.0.0.1:8080/haip"));
  public int sessions = 100;
  public long durationMs = 15_000;
  public long warmupMs = 2_000;
  public long rampUpMs = 2_000;
  /** Total messages per second across all sessions; 0 = closed loop (one in flight per session). */
  public int rate = 0;
  public int messageSize = 64;
  public Scenario scenario = Scenario.echo;
  public String tool = "echo";
  public List<String> sourceAddresses = List.of();
  public int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
  /** Agent sessions to open before the clients (cross-node scenario); 0 = none. */
  public int agents = 0;
  public URI agentUrl;
  /** Monitor scenario: subscribers on /ws and their URL (default: the first url with /ws as path). */
  public int subscribers = 0;
  public URI monitorUrl;
  /** Idle scenario: how long the sessions are held once all are open, before the node is probed. */
  public long holdMs = 5_000;
  /** Idle scenario: the node's pid and /metrics URL, to read heap after a full GC, RSS and descriptors. */
  public long nodePid = -1;
  public URI metricsUrl;
  /**
   * The server's pid (a node or a raw server on this machine), whose CPU time over the measured window is reported
   * beside the generator's ({@code serverCpu}): which of the two is near a full core says which limits a closed loop.
   */
  public long serverPid = -1;
  public int maxPendingConnects = 256;
  /**
   * Closed loop only: a client ends its transaction and starts a new one after this many round trips, so each
   * round trip also pays for a transaction's start and end (what tracing makes spans of); 0 = one transaction per
   * session for the whole run.
   */
  public int messagesPerTransaction = 0;
  public String label = "";
}
