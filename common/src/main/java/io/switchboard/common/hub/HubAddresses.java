package io.switchboard.common.hub;

/**
 * Hub-internal event-bus addresses (between hub nodes). Bodies are JsonObjects.
 */
public final class HubAddresses {
  private HubAddresses() {}

  /**
   * Publish: a hub node's state, on change and every few seconds:
   * {@code {nodeId, clusterNodeId, tools:[{name, description, inputSchema, outputSchema?}], eventsInterest:bool}}.
   * A body {@code {sync:true, nodeId}} asks every hub node to announce itself at once. Any JVM of the cluster may
   * announce {@code {nodeId, eventsInterest:true}} every few seconds to receive per-message hub events.
   */
  public static final String ANNOUNCE = "switchboard.hub.announce";

  /**
   * Publish: a monitor node's interest in an execution, {@code {executionId, node, subscribe:bool}}. The node that
   * owns the execution then sends its monitor frames to {@link #nodeMonitor(String)} of that node.
   */
  public static final String MONITOR_INTEREST = "switchboard.hub.monitor.interest";

  /** Send: monitor frames (MonitorFrame JSON) of watched executions, to the node whose /ws sockets watch them. */
  public static String nodeMonitor(String nodeId) {
    return "switchboard.node." + nodeId + ".monitor";
  }

  /** Header names on {@link io.switchboard.common.Addresses#nodeTx(String)} messages. */
  public static final String TX_HEADER = "tx";
  public static final String OP_HEADER = "op";
}
