package io.switchboard.hub;

import io.switchboard.hub.exec.Execution;
import io.switchboard.hub.session.ReplayWindow;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A transaction as its client's node holds it: the execution, where its provider runs, who watches it. */
final class ClientTx {
  final String id;
  final HaipSession client;
  final Execution exec;
  final boolean echo;
  final ReplayWindow replay;
  /** Set once a provider took the transaction (client's event loop). */
  volatile String providerNode;
  volatile String providerClusterNode;
  /** Nodes whose monitors watch this execution; null until someone does. */
  volatile Set<String> watchers;

  ClientTx(String id, HaipSession client, Execution exec, boolean echo, ReplayWindow replay) {
    this.id = id;
    this.client = client;
    this.exec = exec;
    this.echo = echo;
    this.replay = replay;
  }

  synchronized Set<String> watchersForWrite() {
    if (watchers == null) {
      watchers = ConcurrentHashMap.newKeySet();
    }
    return watchers;
  }
}
