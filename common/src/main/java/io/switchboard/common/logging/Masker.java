package io.switchboard.common.logging;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Masks the values of sensitive fields in free text: JSON fields ({@code "token":"abc"}), name=value pairs wherever
 * they stand (query strings, client strings such as a HAI {@code platform}, error messages; quoted values and a
 * {@code Bearer}/{@code Basic} scheme included), header-style lines ({@code Authorization: Bearer abc}), and every
 * value of a {@code Cookie} or {@code Set-Cookie} header. A field is sensitive when its name contains one of the
 * configured words, case-insensitively, or {@value #COOKIE}. Pure and thread-safe.
 */
public final class Masker {
  public static final String MASK = "****";
  /** Cookies are credentials whatever the configured words: a field whose name contains this is always masked. */
  public static final String COOKIE = "cookie";

  private final List<String> words;
  private final Pattern jsonStringStart;
  private final Pattern jsonOther;
  private final Pattern cookieHeader;
  /** One name=value pair of a cookie header; a pair's name starts only where a run of name characters starts. */
  private static final Pattern COOKIE_PAIR = Pattern.compile("(?<![^=;,\\s])([^=;,\\s]++=)([^;,\\s]++)");
  private final Pattern quotedValue;
  private final Pattern keyValue;
  private final Pattern header;

  public Masker(List<String> words) {
    this.words = Stream.concat(words.stream(), Stream.of(COOKIE)).map(w -> w.toLowerCase(Locale.ROOT))
        .filter(w -> !w.isBlank()).distinct().toList();
    String alt = this.words.isEmpty() ? "(?!x)x" : this.words.stream().map(Pattern::quote).collect(Collectors.joining("|"));
    // a whole run of name characters that contains a word: it starts where the run starts (lookbehind), checks the
    // word with one lazy scan (lookahead) and takes the run without giving anything back (possessive), so each run
    // is scanned a bounded number of times and matching stays linear in the line's length
    String name = "(?<![A-Za-z0-9_\\-])(?=[A-Za-z0-9_\\-]*?(?:" + alt + "))[A-Za-z0-9_\\-]++";
    // "name" : "value"   (JSON, also when escaped inside another JSON string: \"name\":\"value\"): the start by
    // pattern, the value up to the next " or \" by a scan (see maskJsonStrings)
    jsonStringStart = Pattern.compile("(?i)(\\\\?\"" + name + "\\\\?\"\\s*+:\\s*+)(\\\\?\")");
    // "name" : 123 / true / {..} is rarer; mask scalars that are not strings
    jsonOther = Pattern.compile("(?i)(\\\\?\"" + name + "\\\\?\"\\s*+:\\s*+)(-?[0-9][^,}\\]\\s]*|true|false)");
    // Cookie: a=1; b=2 / Set-Cookie: a=1; Path=/ : the header's value runs to the end of the line (or a quote), and
    // each name=value pair in it is masked (COOKIE_PAIR)
    cookieHeader = Pattern.compile("(?i)((?<![A-Za-z0-9_\\-])(?:set-)?cookie\\s*+:\\s*+)([^\\r\\n\"]++)");
    // name="value" / name='value' / name: "value" (the name unquoted): the whole quoted value, spaces included
    quotedValue = Pattern.compile("(?i)(" + name + "\\s*+[=:]\\s*+)(?:\"([^\"\\r\\n]*+)\"|'([^'\\r\\n]*+)')");
    // name=value wherever the name starts (query strings, key=value logs, client strings); spaces around = allowed;
    // a Bearer/Basic scheme is kept and the credential after it masked; the value ends at & ; , whitespace or quote
    keyValue = Pattern.compile("(?i)(" + name + "\\s*+=\\s*+)((?:bearer|basic|token)\\s++)?([^&;,\\s\"'}\\])]+)");
    // Authorization: Bearer abc / x-api-key: abc
    header = Pattern.compile("(?i)(" + name + "\\s*+:\\s*+)(?!\\s*\\\\?\")((?:bearer|basic|token)\\s++)?([^\\s,;\"'}\\]]+)");
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
    String s = maskJsonStrings(text);
    s = replace(jsonOther, s, m -> m.group(1) + "\"" + MASK + "\"");
    s = replace(cookieHeader, s, m -> m.group(1) + maskCookies(m.group(2)));
    s = replace(quotedValue, s, m -> m.group(1) + (m.group(2) != null ? "\"" + MASK + "\"" : "'" + MASK + "'"));
    s = replace(keyValue, s, m -> m.group(1) + (m.group(2) == null ? "" : m.group(2)) + MASK);
    s = replace(header, s, m -> m.group(1) + (m.group(2) == null ? "" : m.group(2)) + MASK);
    return s;
  }

  /** A {@code Cookie} or {@code Set-Cookie} header value with every pair's value masked: {@code a=****; b=****}. */
  public static String maskCookies(String headerValue) {
    return headerValue == null ? null : replace(COOKIE_PAIR, headerValue, p -> p.group(1) + MASK);
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

  /**
   * Masks the value of every {@code "name":"value"} (or escaped {@code \"name\":\"value\"}): the value runs from the
   * opening quote to the first {@code "} or {@code \"} after it. A scan rather than a pattern, so the work is linear
   * in the text's length and needs no stack per character.
   */
  private String maskJsonStrings(String text) {
    Matcher m = jsonStringStart.matcher(text);
    StringBuilder sb = null;
    int copied = 0;
    int from = 0;
    while (from < text.length() && m.find(from)) {
      int close = -1;
      int closeLength = 0;
      for (int i = m.end(); i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '"') {
          close = i;
          closeLength = 1;
          break;
        }
        if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          close = i;
          closeLength = 2;
          break;
        }
      }
      if (close < 0) {
        break; // no closing quote after this start, so none after any later start either
      }
      if (sb == null) {
        sb = new StringBuilder(text.length());
      }
      sb.append(text, copied, m.end()).append(MASK);
      copied = close;
      from = close + closeLength;
    }
    if (sb == null) {
      return text;
    }
    return sb.append(text, copied, text.length()).toString();
  }

  private static String replace(Pattern p, String s, Function<Matcher, String> f) {
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
