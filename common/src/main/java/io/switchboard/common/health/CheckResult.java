package io.switchboard.common.health;

import io.vertx.core.json.JsonObject;

/** The outcome of one health check: UP or DOWN, with details. */
public record CheckResult(boolean isUp, JsonObject data) {
  public static CheckResult up() {
    return new CheckResult(true, new JsonObject());
  }

  public static CheckResult up(JsonObject data) {
    return new CheckResult(true, data);
  }

  public static CheckResult down(String reason) {
    return new CheckResult(false, new JsonObject().put("reason", reason));
  }

  public static CheckResult down(JsonObject data) {
    return new CheckResult(false, data);
  }
}
