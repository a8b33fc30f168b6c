package io.switchboard.hub.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster-wide view of tools and of who wants per-message hub events, built from every hub node's
 * announcements: one entry per node, replaced wholesale by each announcement, dropped when the node leaves the
 * cluster (by its cluster node id) or, for announcers without one, when its lease runs out. The built-in echo tool
 * is always present. In the hub one context writes it (the cluster verticle's) and any context reads it: reads are
 * lock-free (an immutable merged view behind a volatile reference); writes are also synchronized, so a caller on
 * another thread stays safe. Pure.
 */
public final class ToolDirectory {
  private record Entry(String clusterNodeId, List<ToolDef> tools, Map<String, Set<String>> owners,
      boolean eventsInterest, long seenAt) {}

  private final Map<String, Entry> byNode = new HashMap<>();
  private volatile Map<String, ToolDef> merged = Map.of(ToolDef.ECHO, ToolDef.ECHO_TOOL);
  private volatile boolean anyInterest;
  /** Tool name to the identities (subjects) of the agents offering it, over every node. */
  private volatile Map<String, Set<String>> owners = Map.of();

  /** Replaces a node's entry, without owners. */
  public void put(String nodeId, String clusterNodeId, List<ToolDef> tools, boolean eventsInterest, long nowMs) {
    put(nodeId, clusterNodeId, tools, Map.of(), eventsInterest, nowMs);
  }

  /** Replaces a node's entry; {@code owners} maps each tool name to the subjects of the agents offering it there. */
  public synchronized void put(String nodeId, String clusterNodeId, List<ToolDef> tools, Map<String, Set<String>> owners,
      boolean eventsInterest, long nowMs) {
    byNode.put(nodeId, new Entry(clusterNodeId, List.copyOf(tools), Map.copyOf(owners), eventsInterest, nowMs));
    rebuild();
  }

  public synchronized void remove(String nodeId) {
    if (byNode.remove(nodeId) != null) {
      rebuild();
    }
  }

  /** Drops every entry announced from this cluster member; returns the node ids dropped. */
  public synchronized List<String> removeClusterNode(String clusterNodeId) {
    List<String> dropped = new ArrayList<>();
    byNode.entrySet().removeIf(e -> {
      boolean match = clusterNodeId.equals(e.getValue().clusterNodeId());
      if (match) {
        dropped.add(e.getKey());
      }
      return match;
    });
    if (!dropped.isEmpty()) {
      rebuild();
    }
    return dropped;
  }

  /** Drops entries not refreshed within {@code leaseMs}, except {@code keepNodeId} (this node). */
  public synchronized void expire(long nowMs, long leaseMs, String keepNodeId) {
    if (byNode.entrySet().removeIf(e -> !e.getKey().equals(keepNodeId) && nowMs - e.getValue().seenAt() > leaseMs)) {
      rebuild();
    }
  }

  private void rebuild() {
    Map<String, ToolDef> m = new TreeMap<>();
    Map<String, Set<String>> who = new HashMap<>();
    boolean interest = false;
    // Deterministic choice when several providers describe the same name differently: the smallest node id wins.
    for (Map.Entry<String, Entry> e : new TreeMap<>(byNode).entrySet()) {
      for (ToolDef t : e.getValue().tools()) {
        m.putIfAbsent(t.name(), t);
      }
      interest |= e.getValue().eventsInterest();
      e.getValue().owners().forEach((tool, subjects) -> who.computeIfAbsent(tool, k -> new HashSet<>()).addAll(subjects));
    }
    who.replaceAll((k, v) -> Set.copyOf(v));
    owners = Collections.unmodifiableMap(who);
    m.put(ToolDef.ECHO, ToolDef.ECHO_TOOL);
    merged = Collections.unmodifiableMap(m);
    anyInterest = interest;
  }

  /** The subjects of the agents that offer {@code name} anywhere in the cluster (empty when unknown). */
  public Set<String> owners(String name) {
    return owners.getOrDefault(name, Set.of());
  }

  public ToolDef find(String name) {
    return merged.get(name);
  }

  /** Every tool, sorted by name. */
  public List<ToolDef> tools() {
    return List.copyOf(merged.values());
  }

  public boolean anyEventsInterest() {
    return anyInterest;
  }

  public synchronized int nodes() {
    return byNode.size();
  }
}
