package io.switchboard.launcher;

import io.switchboard.alert.AlertService;
import io.switchboard.common.Addresses;
import io.switchboard.common.node.SwitchboardNode;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The running node's process signals (docs/operations.md, "Stopping a node"):
 * <ul>
 *   <li>SIGTERM: the graceful stop (readiness 503, drain, leave the cluster), then exit 0; exit 143 when the stop did
 *   not finish within {@code shutdown.timeout}. A JVM shutdown hook cannot choose the exit code (the JVM has
 *   already decided 143 for SIGTERM), so TERM gets its own handler through {@code sun.misc.Signal}.</li>
 *   <li>SIGINT and {@code System.exit}: the same graceful stop from the shutdown hook (exit code 130 for SIGINT).</li>
 *   <li>SIGHUP: reloads the alert rules and sinks on every alert replica (this node's own when it runs the alert
 *   role, else one replica's; docs/alerts.md, "Changing rules at runtime").</li>
 * </ul>
 */
final class ProcessSignals {
  /** Exit code of a SIGTERM stop that did not finish within shutdown.timeout (128 + 15, as the JVM's own). */
  static final int STOP_TIMED_OUT = 143;
  private static final Logger LOG = LoggerFactory.getLogger(ProcessSignals.class);

  private final SwitchboardNode node;
  private final long timeoutMs;
  private final AlertService alerts;
  private Integer exitCode;

  /** @param alerts this node's alert service, or null when it does not run the alert role */
  ProcessSignals(SwitchboardNode node, long timeoutMs, AlertService alerts) {
    this.node = node;
    this.timeoutMs = timeoutMs;
    this.alerts = alerts;
  }

  /** Installs the handlers; the returned thread is the shutdown hook, already registered. */
  void install(Runnable stopped) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopOnce();
      stopped.run();
    }, "switchboard-shutdown-hook"));
    handle("TERM", sig -> new Thread(() -> {
      int code = stopOnce();
      stopped.run();
      System.exit(code);
    }, "switchboard-sigterm").start());
    handle("HUP", sig -> reload());
  }

  /** Logged when the process started with SIGHUP ignored, so SIGHUP cannot reload (tests look for it). */
  static final String HUP_IGNORED = "SIGHUP is ignored by this process";

  private static void handle(String name, SignalHandler handler) {
    try {
      // a signal the process started with ignored (nohup ignores HUP) stays ignored: the JVM installs no handler
      if (Signal.handle(new Signal(name), handler) == SignalHandler.SIG_IGN) {
        LOG.warn("SIG{} is ignored by this process (it was started with the signal ignored, as nohup does){}", name,
            "HUP".equals(name) ? "; reload the alert rules with POST /alerts/rules/reload instead" : "");
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("cannot handle SIG{} on this JVM ({}); its default action stays", name, e.getMessage());
    }
  }

  /** The graceful stop, once: 0 when it finished within shutdown.timeout, else {@link #STOP_TIMED_OUT}. */
  synchronized int stopOnce() {
    if (exitCode == null) {
      try {
        node.stop().toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        exitCode = 0;
      } catch (TimeoutException e) {
        LOG.warn("graceful stop did not finish within {} ms; exiting with {}", timeoutMs, STOP_TIMED_OUT);
        exitCode = STOP_TIMED_OUT;
      } catch (Exception e) {
        LOG.warn("graceful stop failed: {}", e.toString());
        exitCode = 0;
      }
    }
    return exitCode;
  }

  private void reload() {
    LOG.info("SIGHUP: reloading the alert rules and sinks");
    Future<JsonObject> done = alerts != null ? alerts.reload()
        : node.vertx().eventBus().<JsonObject>request(Addresses.ALERTS_QUERY, new JsonObject().put("what", "reload"),
            new DeliveryOptions().setSendTimeout(Addresses.QUERY_TIMEOUT_MS)).map(m -> m.body());
    done.onSuccess(r -> LOG.info("SIGHUP: alert rules reloaded: {}", r.encode()))
        .onFailure(e -> LOG.error("SIGHUP: alert rules not reloaded, the rules in use stay: {}", e.getMessage()));
  }
}
