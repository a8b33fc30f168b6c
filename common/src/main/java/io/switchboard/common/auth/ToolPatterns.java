package io.switchboard.common.auth;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which tool names a permission covers: a list of patterns where {@code *} stands for any run of characters (so
 * {@code *} alone is every tool, {@code weather.*} every name starting {@code weather.}); other characters match
 * themselves. Pure.
 *
 * @param patterns the patterns as the claim gave them, each {@code [A-Za-z0-9_.:*-]{1,128}}
 */
public record ToolPatterns(List<String> patterns) {
  /** The characters a pattern may hold: a tool name's, and the wildcard. */
  public static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.:*-]{1,128}");
  public static final ToolPatterns ALL = new ToolPatterns(List.of("*"));
  public static final ToolPatterns NONE = new ToolPatterns(List.of());

  public ToolPatterns {
    patterns = List.copyOf(patterns);
  }

  /** Whether {@code tool} matches one of the patterns. */
  public boolean allows(String tool) {
    if (tool == null) {
      return false;
    }
    for (String p : patterns) {
      if (matches(p, tool)) {
        return true;
      }
    }
    return false;
  }

  /** Whether every name matches (one pattern is {@code *}). */
  public boolean all() {
    return patterns.contains("*");
  }

  /** Glob match with {@code *} only, iterative (no backtracking blow-up). */
  static boolean matches(String pattern, String s) {
    int p = 0;
    int i = 0;
    int star = -1;
    int mark = 0;
    while (i < s.length()) {
      if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == s.charAt(i)) {
        p++;
        i++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = i;
      } else if (star >= 0) {
        p = star + 1;
        i = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
