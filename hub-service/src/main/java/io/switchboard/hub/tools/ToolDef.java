package io.switchboard.hub.tools;

import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/** A tool as offered by an agent: {@code {name, description, inputSchema, outputSchema?}}. */
public record ToolDef(String name, String description, Object inputSchema, Object outputSchema) {
  /** Tool names become part of an event-bus address: a conservative character set, 1–128 characters. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1,128}");
  public static final String ECHO = "echo";

  public static final ToolDef ECHO_TOOL = new ToolDef(ECHO, "Echoes every MESSAGE of the transaction back unchanged",
      new JsonObject().put("type", "string"), null);

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("name", name).put("description", description == null ? "" : description)
        .put("inputSchema", inputSchema == null ? new JsonObject() : inputSchema);
    if (outputSchema != null) {
      j.put("outputSchema", outputSchema);
    }
    return j;
  }

  public JsonObject summaryJson() {
    return new JsonObject().put("name", name).put("description", description == null ? "" : description);
  }

  /** Parses an agent's tool entry; null plus a reason when it is unusable. */
  public static ToolDef fromJson(Object v) {
    if (!(v instanceof JsonObject o)) {
      return null;
    }
    Object name = o.getValue("name");
    if (!(name instanceof String n) || !NAME.matcher(n).matches()) {
      return null;
    }
    Object desc = o.getValue("description");
    return new ToolDef(n, desc instanceof String d ? d : "", o.getValue("inputSchema"), o.getValue("outputSchema"));
  }
}
