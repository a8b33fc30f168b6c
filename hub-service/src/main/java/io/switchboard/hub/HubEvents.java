package io.switchboard.hub;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.Addresses;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.common.hub.HubEvent;
import io.switchboard.hub.tools.ToolDirectory;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server events: counted always (switchboard_hub_events_total by type), logged as structured lines (per-message
 * ones at debug), published on {@link Addresses#HUB_EVENTS} — per-message ones only while some node announces
 * interest (a monitor subscribed to topic events, or another JVM that announced it).
 */
final class HubEvents {
  private static final Logger LOG = LoggerFactory.getLogger("io.switchboard.hub.events");

  private final EventBus bus;
  private final String nodeId;
  private final ToolDirectory directory;
  private final Map<String, LongAdder> counts = new HashMap<>();
  /** The per-message types' counters, held apart: they are counted on every frame, on the sessions' loops. */
  private final LongAdder messages;
  private final LongAdder messagesProcessed;

  HubEvents(EventBus bus, String nodeId, ToolDirectory directory, MeterRegistry registry) {
    this.bus = bus;
    this.nodeId = nodeId;
    this.directory = directory;
    for (String t : HubEvent.TYPES) {
      LongAdder a = new LongAdder();
      counts.put(t, a);
      FunctionCounter.builder("switchboard.hub.events", a, LongAdder::sum).tag("type", t)
          .description("Server events emitted by the hub, by type").register(registry);
    }
    messages = counts.get(HubEvent.MESSAGE);
    messagesProcessed = counts.get(HubEvent.MESSAGE_PROCESSED);
  }

  /** True while someone wants per-message events: build their data only then. */
  boolean perMessageWanted() {
    return directory.anyEventsInterest();
  }

  /** Counts a MESSAGE event without building it (nobody listens). */
  void countMessage() {
    messages.increment();
  }

  /** Counts a MESSAGE_PROCESSED event without building it (nobody listens). */
  void countMessageProcessed() {
    messagesProcessed.increment();
  }

  void emit(String type, String sessionId, JsonObject data) {
    counts.get(type).increment();
    boolean perMessage = HubEvent.perMessage(type);
    if (perMessage || (HubEvent.ERROR.equals(type) && data != null && ErrorCodes.RATE_LIMITED.equals(data.getString("code")))) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("hub event {}", type, kv("event", type), kv("sessionId", sessionId), kv("data", data == null ? null : data.encode()));
      }
    } else if (LOG.isInfoEnabled()) {
      LOG.info("hub event {}", type, kv("event", type), kv("sessionId", sessionId), kv("data", data == null ? null : data.encode()));
    }
    if (perMessage && !directory.anyEventsInterest()) {
      return;
    }
    bus.publish(Addresses.HUB_EVENTS, new HubEvent(type, nodeId, sessionId, System.currentTimeMillis(), data).toJson());
  }
}
