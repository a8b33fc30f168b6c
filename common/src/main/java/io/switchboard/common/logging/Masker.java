package io.switchboard.common.logging;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Masks the values of sensitive fields in free text: JSON fields ({@code "token":"abc"}), key=value pairs and
 * URL query strings ({@code ?token=abc}), and header-style lines ({@code Authorization: Bearer abc}). A field is
 * sensitive when its name contains one of the configured words, case-insensitively. Pure and thread-safe.
 */
public final class Masker {
  public static final String MASK = "****";

  private final List<String> words;
  private final Pattern jsonString;
  private final Pattern jsonOther;
  private final Pattern keyValue;
  private final Pattern header;

  public Masker(List<String> words) {
    this.words = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).filter(w -> !w.isBlank()).toList();
    String alt = this.words.isEmpty() ? "(?!x)x" : this.words.stream().map(Pattern::quote).collect(Collectors.joining("|"));
    String name = "[A-Za-z0-9_\\-]*(?:" + alt + ")[A-Za-z0-9_\\-]*";
    // "name" : "value"   (JSON, also when escaped inside another JSON string: \"name\":\"value\")
    jsonString = Pattern.compile("(?i)(\\\\?\"" + name + "\\\\?\"\\s*:\\s*)(\\\\?\")((?:[^\"\\\\]|\\\\(?!\")|\\\\\\\\)*?)(\\\\?\")");
    // "name" : 123 / true / {..} is rarer; mask scalars that are not strings
    jsonOther = Pattern.compile("(?i)(\\\\?\"" + name + "\\\\?\"\\s*:\\s*)(-?[0-9][^,}\\]\\s]*|true|false)");
    // name=value (query strings, key=value logs); value ends at & ; , whitespace or quote
    keyValue = Pattern.compile("(?i)((?:^|[?&;\\s,{(\\[])" + name + "=)([^&;,\\s\"'}\\])]+)");
    // Authorization: Bearer abc / x-api-key: abc
    header = Pattern.compile("(?i)(" + name + "\\s*:\\s*)(?!\\s*\\\\?\")((?:bearer|basic|token)\\s+)?([^\\s,;\"'}\\]]+)");
  }

  public static Masker defaults() {
    return new Masker(List.of("password", "token", "secret", "key", "authorization"));
  }

  /** Whether a field of this name holds a secret. */
  public boolean isSensitiveName(String fieldName) {
    if (fieldName == null) {
      return false;
    }
    String n = fieldName.toLowerCase(Locale.ROOT);
    for (String w : words) {
      if (n.contains(w)) {
        return true;
      }
    }
    return false;
  }

  /** The text with every sensitive value replaced by {@value #MASK}. */
  public String mask(String text) {
    if (text == null || text.isEmpty() || words.isEmpty() || !mayContain(text)) {
      return text;
    }
    String s = replace(jsonString, text, m -> m.group(1) + m.group(2) + MASK + m.group(4));
    s = replace(jsonOther, s, m -> m.group(1) + "\"" + MASK + "\"");
    s = replace(keyValue, s, m -> m.group(1) + MASK);
    s = replace(header, s, m -> m.group(1) + (m.group(2) == null ? "" : m.group(2)) + MASK);
    return s;
  }

  private boolean mayContain(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    for (String w : words) {
      if (lower.contains(w)) {
        return true;
      }
    }
    return false;
  }

  private static String replace(Pattern p, String s, java.util.function.Function<Matcher, String> f) {
    Matcher m = p.matcher(s);
    if (!m.find()) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    do {
      String rep = f.apply(m);
      if (rep.contains(MASK) && m.group().endsWith(MASK)) {
        rep = m.group();
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(rep));
    } while (m.find());
    m.appendTail(sb);
    return sb.toString();
  }
}
