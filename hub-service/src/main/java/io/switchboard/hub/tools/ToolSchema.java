package io.switchboard.hub.tools;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonFormatValidator;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tool's input schema, compiled once when the tool is offered (vertx-json-schema), and checked against the params
 * of every TRANSACTION_START (docs/haip.md, "Tool schemas"). Agents are untrusted, so {@link #compile(Object)}
 * refuses, with a message naming the schema location:
 * <ul>
 *   <li>a {@code $ref} (or {@code $dynamicRef}, {@code $recursiveRef}) that is not a fragment of the schema itself
 *       ({@code #/...} or an {@code $anchor}), and a fragment that resolves to nothing;</li>
 *   <li>a {@code pattern} that is not valid RE2 syntax, or longer than {@value #MAX_PATTERN_LENGTH} characters.
 *       Patterns run on RE2/J, in time linear in the input: each is taken out of the schema handed to the validator
 *       and checked through a private {@code format}, so the validator's own backtracking engine never sees it;</li>
 *   <li>{@code patternProperties}, whose keys the validator would match with a backtracking engine;</li>
 *   <li>a schema nested deeper than {@value #MAX_DEPTH} or with more than {@value #MAX_NODES} subschemas.</li>
 * </ul>
 * The draft is the schema's {@code $schema} when it names one, else draft 7. Immutable and thread-safe.
 */
public final class ToolSchema {
  public static final int MAX_PATTERN_LENGTH = 1_000;
  public static final int MAX_DEPTH = 32;
  public static final int MAX_NODES = 2_000;
  /** Accepts any params: the tool gave no schema. */
  public static final ToolSchema ANY = new ToolSchema(null, List.of());

  private static final String FORMAT_PREFIX = "switchboard-re2-";
  private static final Set<String> REF_KEYWORDS = Set.of("$ref", "$dynamicRef", "$recursiveRef");
  /** Keywords whose value is one subschema. */
  private static final Set<String> ONE_SCHEMA = Set.of("additionalProperties", "additionalItems", "unevaluatedItems",
      "unevaluatedProperties", "propertyNames", "contains", "if", "then", "else", "not", "items");
  /** Keywords whose value is an array of subschemas. */
  private static final Set<String> SCHEMA_ARRAY = Set.of("allOf", "anyOf", "oneOf", "prefixItems", "items");
  /** Keywords whose value maps names to subschemas. */
  private static final Set<String> SCHEMA_MAP = Set.of("properties", "$defs", "definitions", "dependentSchemas",
      "dependencies");
  private static final int CACHE_SIZE = 512;
  /** Compiled schemas by their source, so a schema announced again (every few seconds) is not compiled again. */
  private static final Map<JsonObject, ToolSchema> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<JsonObject, ToolSchema> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  private final Validator validator;
  private final List<Pattern> patterns;

  private ToolSchema(Validator validator, List<Pattern> patterns) {
    this.validator = validator;
    this.patterns = patterns;
  }

  /** A schema an agent offered that cannot be used; the message names where and why. */
  public static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** Compiles {@code schema} (a JSON object, a boolean, or null for none); refuses what the class doc lists. */
  public static ToolSchema compile(Object schema) throws Invalid {
    if (schema == null || Boolean.TRUE.equals(schema)) {
      return ANY;
    }
    if (Boolean.FALSE.equals(schema)) {
      return new ToolSchema(Validator.create(JsonSchema.of(false), options(Draft.DRAFT7)), List.of());
    }
    if (!(schema instanceof JsonObject source)) {
      throw new Invalid("inputSchema must be a JSON object or a boolean");
    }
    synchronized (CACHE) {
      ToolSchema known = CACHE.get(source);
      if (known != null) {
        return known;
      }
    }
    JsonObject copy = source.copy();
    List<Pattern> patterns = new ArrayList<>();
    new Walk(copy, patterns).schema(copy, "", 0);
    Draft draft = draftOf(copy.getValue("$schema"));
    List<Pattern> fixed = List.copyOf(patterns);
    Validator v = Validator.create(JsonSchema.of(copy), options(draft), formats(fixed));
    ToolSchema compiled = new ToolSchema(v, fixed);
    synchronized (CACHE) {
      CACHE.put(source.copy(), compiled);
    }
    return compiled;
  }

  /** Null when {@code params} fit, else what is wrong, naming the failing path ({@code params.q}, {@code params.tags[1]}). */
  public String check(Object params) {
    if (validator == null) {
      return null;
    }
    OutputUnit out;
    try {
      out = validator.validate(params);
    } catch (SchemaException e) {
      return "params could not be checked against the tool's schema";
    }
    if (Boolean.TRUE.equals(out.getValid())) {
      return null;
    }
    OutputUnit first = deepestError(out);
    String where = path(first.getInstanceLocation());
    String why = first.getError() == null ? "does not match the schema" : first.getError();
    return where + ": " + why;
  }

  /** The most specific error: the deepest instance location, then the deepest keyword location (a pattern's own). */
  private static OutputUnit deepestError(OutputUnit out) {
    OutputUnit best = out;
    if (out.getErrors() != null) {
      for (OutputUnit e : out.getErrors()) {
        if (e.getError() != null && (best.getError() == null || depth(e) > depth(best))) {
          best = e;
        }
      }
    }
    return best;
  }

  private static long depth(OutputUnit u) {
    long instance = u.getInstanceLocation() == null ? 0 : u.getInstanceLocation().length();
    long keyword = u.getKeywordLocation() == null ? 0 : u.getKeywordLocation().length();
    return instance * 100_000 + keyword;
  }

  /** A JSON pointer into the params ({@code /tags/1}) as the path HAIP errors use ({@code params.tags[1]}). */
  static String path(String pointer) {
    StringBuilder sb = new StringBuilder("params");
    if (pointer == null || pointer.isEmpty() || pointer.equals("#") || pointer.equals("/")) {
      return sb.toString();
    }
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    for (String part : p.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      String name = part.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) {
        sb.append('[').append(name).append(']');
      } else {
        sb.append('.').append(name);
      }
    }
    return sb.toString();
  }

  private static JsonSchemaOptions options(Draft draft) {
    return new JsonSchemaOptions().setDraft(draft).setBaseUri("urn:switchboard:tool").setOutputFormat(OutputFormat.Basic);
  }

  private static Draft draftOf(Object declared) {
    if (declared instanceof String id) {
      try {
        return Draft.fromIdentifier(id);
      } catch (IllegalArgumentException unknown) {
        return Draft.DRAFT7;
      }
    }
    return Draft.DRAFT7;
  }

  /** The standard formats, plus this schema's patterns under private format names, matched by RE2/J. */
  private static JsonFormatValidator formats(List<Pattern> patterns) {
    return (type, format, instance) -> {
      if (format != null && format.startsWith(FORMAT_PREFIX)) {
        if (!(instance instanceof String s)) {
          return null;
        }
        Pattern p = patterns.get(Integer.parseInt(format.substring(FORMAT_PREFIX.length())));
        return p.matcher(s).find() ? null : "does not match the pattern " + p.pattern();
      }
      return JsonFormatValidator.DEFAULT_VALIDATOR.validateFormat(type, format, instance);
    };
  }

  /** Checks and rewrites one schema tree in place: refs, patterns, size. */
  private static final class Walk {
    private final JsonObject root;
    private final List<Pattern> patterns;
    private int nodes;

    Walk(JsonObject root, List<Pattern> patterns) {
      this.root = root;
      this.patterns = patterns;
    }

    void schema(Object value, String at, int depth) throws Invalid {
      if (!(value instanceof JsonObject s)) {
        return;
      }
      if (depth > MAX_DEPTH) {
        throw new Invalid("the schema is nested deeper than " + MAX_DEPTH + " levels at " + where(at));
      }
      if (++nodes > MAX_NODES) {
        throw new Invalid("the schema has more than " + MAX_NODES + " subschemas");
      }
      if (s.containsKey("patternProperties")) {
        throw new Invalid("patternProperties is not supported (at " + where(at) + "): use properties, or pattern on propertyNames values");
      }
      for (String ref : REF_KEYWORDS) {
        if (s.containsKey(ref)) {
          ref(s.getValue(ref), at + "/" + ref);
        }
      }
      if (s.containsKey("pattern")) {
        pattern(s, at);
      }
      for (String k : List.copyOf(s.fieldNames())) {
        Object v = s.getValue(k);
        if (ONE_SCHEMA.contains(k) && v instanceof JsonObject) {
          schema(v, at + "/" + k, depth + 1);
        }
        if (SCHEMA_ARRAY.contains(k) && v instanceof JsonArray arr) {
          for (int i = 0; i < arr.size(); i++) {
            schema(arr.getValue(i), at + "/" + k + "/" + i, depth + 1);
          }
        }
        if (SCHEMA_MAP.contains(k) && v instanceof JsonObject map) {
          for (String name : map.fieldNames()) {
            schema(map.getValue(name), at + "/" + k + "/" + name, depth + 1);
          }
        }
      }
    }

    private void pattern(JsonObject s, String at) throws Invalid {
      Object p = s.remove("pattern");
      if (!(p instanceof String text)) {
        throw new Invalid("pattern must be a string at " + where(at));
      }
      if (text.length() > MAX_PATTERN_LENGTH) {
        throw new Invalid("pattern longer than " + MAX_PATTERN_LENGTH + " characters at " + where(at));
      }
      Pattern compiled;
      try {
        compiled = Pattern.compile(text);
      } catch (PatternSyntaxException e) {
        throw new Invalid("pattern at " + where(at) + " is not RE2 syntax (no backreferences or lookaround): "
            + e.getDescription());
      }
      patterns.add(compiled);
      JsonArray allOf = s.getValue("allOf") instanceof JsonArray a ? a : new JsonArray();
      allOf.add(new JsonObject().put("format", FORMAT_PREFIX + (patterns.size() - 1)));
      s.put("allOf", allOf);
    }

    private void ref(Object value, String at) throws Invalid {
      if (!(value instanceof String ref) || !ref.startsWith("#")) {
        throw new Invalid("only references inside the schema (#/...) are allowed, not " + clip(value) + " at " + where(at));
      }
      String fragment = ref.substring(1);
      if (fragment.isEmpty()) {
        return;
      }
      if (fragment.startsWith("/")) {
        if (pointer(root, fragment) == null) {
          throw new Invalid("the reference " + clip(ref) + " at " + where(at) + " points to nothing in the schema");
        }
      } else if (!hasAnchor(root, fragment, 0)) {
        throw new Invalid("the reference " + clip(ref) + " at " + where(at) + " names no $anchor of the schema");
      }
    }

    private static Object pointer(JsonObject root, String pointer) {
      Object cur = root;
      for (String raw : pointer.substring(1).split("/", -1)) {
        String part = raw.replace("~1", "/").replace("~0", "~");
        if (cur instanceof JsonObject o && o.containsKey(part)) {
          cur = o.getValue(part);
        } else if (cur instanceof JsonArray a && part.chars().allMatch(Character::isDigit) && !part.isEmpty()
            && part.length() < 6 && Integer.parseInt(part) < a.size()) {
          cur = a.getValue(Integer.parseInt(part));
        } else {
          return null;
        }
      }
      return cur;
    }

    private static boolean hasAnchor(Object node, String name, int depth) {
      if (depth > MAX_DEPTH + 2) {
        return false;
      }
      if (node instanceof JsonObject o) {
        if (name.equals(o.getValue("$anchor")) || name.equals(o.getValue("$dynamicAnchor"))) {
          return true;
        }
        for (String k : o.fieldNames()) {
          if (hasAnchor(o.getValue(k), name, depth + 1)) {
            return true;
          }
        }
      } else if (node instanceof JsonArray a) {
        for (Object v : a) {
          if (hasAnchor(v, name, depth + 1)) {
            return true;
          }
        }
      }
      return false;
    }

    private static String where(String at) {
      return at.isEmpty() ? "the schema's root" : "#" + at;
    }

    private static String clip(Object v) {
      String s = String.valueOf(v);
      return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
  }
}
