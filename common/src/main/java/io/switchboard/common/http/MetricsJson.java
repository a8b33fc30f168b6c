package io.switchboard.common.http;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Tag;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code GET /metrics/json}: every meter of the node's registry as JSON (name, type, tags, measurements). */
public final class MetricsJson {
  private MetricsJson() {}

  public static JsonObject render(MeterRegistry registry) {
    JsonArray meters = new JsonArray();
    for (Meter m : registry.getMeters()) {
      JsonObject tags = new JsonObject();
      for (Tag t : m.getId().getTags()) {
        tags.put(t.getKey(), t.getValue());
      }
      JsonObject values = new JsonObject();
      for (Measurement ms : m.measure()) {
        double v = ms.getValue();
        values.put(ms.getStatistic().getTagValueRepresentation(), Double.isFinite(v) ? v : null);
      }
      meters.add(new JsonObject().put("name", m.getId().getName()).put("type", m.getId().getType().name().toLowerCase())
          .put("description", m.getId().getDescription()).put("baseUnit", m.getId().getBaseUnit())
          .put("tags", tags).put("values", values));
    }
    return new JsonObject().put("meters", meters);
  }
}
