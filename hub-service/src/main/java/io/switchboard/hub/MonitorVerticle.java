package io.switchboard.hub;

import io.switchboard.common.Addresses;
import io.switchboard.common.auth.AccessRole;
import io.switchboard.common.auth.Authority;
import io.switchboard.common.auth.Identity;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.HubAddresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The monitor stream on /ws: upgrades, the node's monitor-frame consumer, interest from other nodes' monitors,
 * the stats, alerts and cluster health relays, liveness pings, and 1001 on drain.
 */
final class MonitorVerticle extends VerticleBase {
  private final Hub rt;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  MonitorVerticle(Hub rt) {
    this.rt = rt;
  }

  @Override
  public Future<?> start() {
    rt.monitors.start(context);
    rt.node.router().route("/ws").handler(this::upgrade);
    consumers.add(vertx.eventBus().consumer(HubAddresses.nodeMonitor(rt.nodeId), m -> rt.monitors.onExecutionFrame(m.body())));
    consumers.add(vertx.eventBus().consumer(HubAddresses.MONITOR_INTEREST, m -> rt.monitors.onInterest(m.body())));
    consumers.add(vertx.eventBus().consumer(Addresses.STATS_CLUSTER, m -> rt.monitors.onStats(m.body())));
    consumers.add(vertx.eventBus().consumer(Addresses.ALERTS, m -> rt.monitors.onAlert(m.body())));
    consumers.add(vertx.eventBus().consumer(Addresses.HEALTH_CLUSTER, m -> rt.monitors.onHealth(m.body())));
    vertx.setPeriodic(Math.max(100, rt.settings.monitorPingIntervalMs()), id -> {
      long now = System.currentTimeMillis();
      rt.monitors.forEachSession(s -> s.heartbeat(now));
    });
    rt.node.shutdown().onDrain(() -> {
      rt.monitors.forEachSession(s -> s.close((short) 1001, "server shutting down"));
      return Future.succeededFuture();
    });
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    return Future.all(ready);
  }

  /**
   * A /ws upgrade with its credential checked first (its Authorization header or access_token parameter): refused
   * with 401 UNAUTHORIZED, or 403 FORBIDDEN for a credential with neither the monitor nor the admin role, both counted.
   */
  private void upgrade(RoutingContext rc) {
    Context here = Vertx.currentContext();
    rt.auth.authenticate(Authority.credential(rc.request())).onComplete(ar -> Hub.on(here, () -> {
      Authority.Outcome o = ar.succeeded() ? ar.result() : null;
      if (o == null || !o.ok()) {
        rt.counters.error(ErrorCodes.FAILED_AUTH);
        Upgrades.refuse(rc, 401, "UNAUTHORIZED", "a monitor credential is required: "
            + (o == null ? "the credential could not be checked" : o.refusal().describe()));
        return;
      }
      Identity who = o.identity();
      if (!who.has(AccessRole.MONITOR) && !who.admin()) {
        rt.counters.error(ErrorCodes.UNAUTHORIZED);
        Upgrades.refuse(rc, 403, "FORBIDDEN", "the credential grants neither the monitor nor the admin role");
        return;
      }
      Upgrades.upgrade(rc, rt, (ws, ctx, pending, channel) -> {
        new MonitorSession(ws, ctx, rt, pending, who).open(channel);
        return null;
      });
    }));
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> f = new ArrayList<>();
    consumers.forEach(c -> f.add(c.unregister()));
    return Future.join(f);
  }
}
