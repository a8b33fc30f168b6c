package io.switchboard.hub;

import io.switchboard.hub.tools.ToolDef;
import io.switchboard.hub.tools.ToolDirectory;
import io.vertx.core.Context;
import io.switchboard.common.auth.Identity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's offer to the cluster: the tools its agents offer and whether its monitors want per-message hub events.
 * Owned by the cluster verticle's context ({@link #start}): sessions and monitors hand their changes to it with
 * {@link #offer}, {@link #withdraw} and {@link #eventsInterest(boolean)}, which run there, update this node's entry
 * in the {@link ToolDirectory} and announce it to the cluster at once.
 */
final class ToolOffers {
  private final String nodeId;
  private final LocalMember member;
  private final ToolDirectory directory;
  /** Set once, before any session or monitor exists (the hub deploys its cluster verticle first). */
  private volatile Context owner;
  private Runnable announce = () -> {};
  /** Offers by session id, in offer order: the owner's context only. */
  private final Map<String, List<ToolDef>> bySession = new LinkedHashMap<>();
  /** The identity (subject) of each offering session: the owner's context only. */
  private final Map<String, String> subjects = new HashMap<>();
  private boolean eventsInterest;

  ToolOffers(String nodeId, LocalMember member, ToolDirectory directory) {
    this.nodeId = nodeId;
    this.member = member;
    this.directory = directory;
  }

  /** Binds the offer to its owner's context; {@code announce} runs there after each change. */
  void start(Context ctx, Runnable announce) {
    this.announce = announce;
    this.owner = ctx;
  }

  /** An agent session's tools, once its consumers are registered (any context); {@code subject} is its identity's. */
  void offer(String sessionId, String subject, List<ToolDef> tools) {
    Hub.on(owner, () -> {
      bySession.put(sessionId, List.copyOf(tools));
      subjects.put(sessionId, subject);
      changed();
    });
  }

  /** An agent session closed: its tools leave the offer (any context). */
  void withdraw(String sessionId) {
    Hub.on(owner, () -> {
      subjects.remove(sessionId);
      if (bySession.remove(sessionId) != null) {
        changed();
      }
    });
  }

  /** Whether some monitor of this node subscribes to topic events (any context). */
  void eventsInterest(boolean interested) {
    Hub.on(owner, () -> {
      if (eventsInterest != interested) {
        eventsInterest = interested;
        changed();
      }
    });
  }

  /** The tools this node's agents offer, one entry per name (the owner's context). */
  List<ToolDef> tools() {
    Map<String, ToolDef> m = new LinkedHashMap<>();
    for (List<ToolDef> l : bySession.values()) {
      for (ToolDef t : l) {
        m.putIfAbsent(t.name(), t);
      }
    }
    return new ArrayList<>(m.values());
  }

  /** Tool name to the subjects of this node's agents that offer it (the owner's context). */
  Map<String, Set<String>> owners() {
    Map<String, Set<String>> m = new HashMap<>();
    bySession.forEach((session, tools) -> tools.forEach(t -> m.computeIfAbsent(t.name(), k -> new HashSet<>())
        .add(subjects.getOrDefault(session, Identity.ANONYMOUS))));
    return m;
  }

  /** The owner's context only. */
  boolean eventsInterest() {
    return eventsInterest;
  }

  /** Puts this node's entry in the directory as the offer stands now (the owner's context). */
  void refreshDirectory(String memberId, long nowMs) {
    directory.put(nodeId, memberId, tools(), owners(), eventsInterest, nowMs);
  }

  private void changed() {
    refreshDirectory(member.id(), System.currentTimeMillis());
    announce.run();
  }
}
