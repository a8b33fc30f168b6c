package io.switchboard.hub.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  private record Entry(String clusterNodeId, List<ToolDef> tools, boolean eventsInterest, long seenAt) {}

  private final Map<String, Entry> byNode = new HashMap<>();
  private volatile Map<String, ToolDef> merged = Map.of(ToolDef.ECHO, ToolDef.ECHO_TOOL);
  private volatile boolean anyInterest;

  /** Replaces a node's entry. */
  public synchronized void put(String nodeId, String clusterNodeId, List<ToolDef> tools, boolean eventsInterest, long nowMs) {
    byNode.put(nodeId, new Entry(clusterNodeId, List.copyOf(tools), eventsInterest, nowMs));
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
    boolean interest = false;
    // Deterministic choice when several providers describe the same name differently: the smallest node id wins.
    for (Map.Entry<String, Entry> e : new TreeMap<>(byNode).entrySet()) {
      for (ToolDef t : e.getValue().tools()) {
        m.putIfAbsent(t.name(), t);
      }
      interest |= e.getValue().eventsInterest();
    }
    m.put(ToolDef.ECHO, ToolDef.ECHO_TOOL);
    merged = Collections.unmodifiableMap(m);
    anyInterest = interest;
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
