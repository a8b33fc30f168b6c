package io.switchboard.hub.tools;

import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * A tool as offered by an agent: {@code {name, description, inputSchema, outputSchema?}}, with its input schema
 * compiled once ({@link ToolSchema}) when the tool is parsed.
 */
public record ToolDef(String name, String description, Object inputSchema, Object outputSchema, ToolSchema input) {
  /** Tool names become part of an event-bus address: a conservative character set, 1–128 characters. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1,128}");
  public static final String ECHO = "echo";

  public static final ToolDef ECHO_TOOL = new ToolDef(ECHO, "Echoes every MESSAGE of the transaction back unchanged",
      new JsonObject().put("type", "string"), null);

  /** A tool whose input schema is compiled here; a schema {@link ToolSchema} refuses is an IllegalArgumentException. */
  public ToolDef(String name, String description, Object inputSchema, Object outputSchema) {
    this(name, description, inputSchema, outputSchema, compiled(inputSchema));
  }

  private static ToolSchema compiled(Object inputSchema) {
    try {
      return ToolSchema.compile(inputSchema);
    } catch (ToolSchema.Invalid e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

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

  /**
   * Parses an agent's tool entry: null when it is not an object with a valid name; {@link ToolSchema.Invalid} when
   * its inputSchema is refused (the message says where and why).
   */
  public static ToolDef fromJson(Object v) throws ToolSchema.Invalid {
    if (!(v instanceof JsonObject o)) {
      return null;
    }
    Object name = o.getValue("name");
    if (!(name instanceof String n) || !NAME.matcher(n).matches()) {
      return null;
    }
    Object desc = o.getValue("description");
    Object schema = o.getValue("inputSchema");
    return new ToolDef(n, desc instanceof String d ? d : "", schema, o.getValue("outputSchema"), ToolSchema.compile(schema));
  }
}
