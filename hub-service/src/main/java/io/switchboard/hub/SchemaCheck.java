package io.switchboard.hub;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A deliberately small JSON Schema subset for TRANSACTION_START params (INVALID_PAYLOAD): {@code type} (one or a
 * list), {@code required}, {@code properties}, {@code items}, {@code enum}. Unknown keywords are ignored, so a schema
 * using more of JSON Schema is checked only as far as this subset goes. Pure.
 */
final class SchemaCheck {
  private SchemaCheck() {}

  private static final int MAX_DEPTH = 16;

  /** Null when {@code value} fits {@code schema}, else what is wrong. */
  static String check(Object schema, Object value) {
    return check(schema, value, "params", 0);
  }

  private static String check(Object schemaValue, Object value, String path, int depth) {
    if (!(schemaValue instanceof JsonObject schema) || depth > MAX_DEPTH) {
      return null;
    }
    Object type = schema.getValue("type");
    if (type instanceof String t && !is(t, value)) {
      return path + " must be " + t;
    }
    if (type instanceof JsonArray types && !types.isEmpty()) {
      boolean any = false;
      for (Object t : types) {
        any |= t instanceof String s && is(s, value);
      }
      if (!any) {
        return path + " must be one of " + types.encode();
      }
    }
    if (schema.getValue("enum") instanceof JsonArray en && !en.contains(value)) {
      return path + " must be one of " + en.encode();
    }
    if (value instanceof JsonObject obj) {
      if (schema.getValue("required") instanceof JsonArray req) {
        for (Object r : req) {
          if (r instanceof String name && !obj.containsKey(name)) {
            return path + "." + name + " is required";
          }
        }
      }
      if (schema.getValue("properties") instanceof JsonObject props) {
        for (String name : props.fieldNames()) {
          if (obj.containsKey(name)) {
            String p = check(props.getValue(name), obj.getValue(name), path + "." + name, depth + 1);
            if (p != null) {
              return p;
            }
          }
        }
      }
    }
    if (value instanceof JsonArray arr && schema.getValue("items") instanceof JsonObject items) {
      for (int i = 0; i < arr.size(); i++) {
        String p = check(items, arr.getValue(i), path + "[" + i + "]", depth + 1);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  private static boolean is(String type, Object v) {
    return switch (type) {
      case "string" -> v instanceof String;
      case "number" -> v instanceof Number;
      case "integer" -> v instanceof Integer || v instanceof Long
          || (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()));
      case "boolean" -> v instanceof Boolean;
      case "object" -> v instanceof JsonObject;
      case "array" -> v instanceof JsonArray;
      case "null" -> v == null;
      default -> true;
    };
  }
}
