package io.switchboard.common.alert;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles user-supplied regular expressions for the RE2/J engine, whose matching time is linear in the input
 * (no backtracking). What RE2 does not support is refused: backreferences, lookahead and lookbehind, possessive
 * quantifiers, atomic groups. So is a pattern whose counted repetitions expand beyond {@link #MAX_EXPANDED_SIZE}
 * elements (e.g. {@code (a{100}){100}}): RE2 expands {@code x{n}} into n copies, so such a pattern would cost
 * memory and time per match in proportion. Pure, apart from a bounded cache of compiled patterns.
 */
public final class LinearRegex {
  private LinearRegex() {}

  /** The largest expanded size (roughly, compiled instructions) a pattern may have. */
  public static final long MAX_EXPANDED_SIZE = 2_000;
  /** Compiled patterns kept for reuse (silences are read from the cluster on every evaluation). */
  static final int CACHE_SIZE = 4096;
  private static final Map<String, Pattern> CACHE = new ConcurrentHashMap<>();

  /** A pattern that cannot be used, with a reason meant for the person who wrote it. */
  public static final class Refused extends IllegalArgumentException {
    public Refused(String reason) {
      super(reason, null);
    }
  }

  /**
   * Compiles the pattern for full matches.
   *
   * @throws Refused when RE2 cannot compile it, or it expands beyond {@link #MAX_EXPANDED_SIZE}
   */
  public static Pattern compile(String pattern) {
    long size = expandedSize(pattern);
    if (size > MAX_EXPANDED_SIZE) {
      throw new Refused("the pattern expands to more than " + MAX_EXPANDED_SIZE
          + " elements (its length with counted repetitions expanded); use * or + instead of large or nested counts");
    }
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new Refused("not RE2 syntax (" + e.getDescription() + "); backreferences, lookaround, possessive "
          + "quantifiers and atomic groups are not supported");
    }
  }

  /**
   * {@link #compile}, reusing the compiled pattern of an earlier call with the same text; the cache is emptied when
   * it holds {@link #CACHE_SIZE} patterns.
   */
  public static Pattern compileCached(String pattern) {
    Pattern p = CACHE.get(pattern);
    if (p != null) {
      return p;
    }
    p = compile(pattern);
    if (CACHE.size() >= CACHE_SIZE) {
      CACHE.clear();
    }
    CACHE.put(pattern, p);
    return p;
  }

  /**
   * An upper estimate of the pattern's size once counted repetitions are expanded: each literal, class, escape or
   * dot counts 1, a group the sum of its alternatives, and {@code x{n,m}} counts max(n, m) times x (saturating).
   * Syntax errors are left to the engine; the estimate only needs to be no smaller than the expansion.
   */
  public static long expandedSize(String pattern) {
    Estimator e = new Estimator(pattern);
    long total = e.alternation();
    while (e.i < pattern.length()) {
      // an unbalanced ')': the engine refuses the pattern, the estimate still covers the rest
      e.i++;
      total = Estimator.add(total, e.alternation());
    }
    return total;
  }

  private static final class Estimator {
    private final String p;
    private int i;

    Estimator(String p) {
      this.p = p;
    }

    long alternation() {
      long total = concatenation();
      while (i < p.length() && p.charAt(i) == '|') {
        i++;
        total = add(total, concatenation());
      }
      return total;
    }

    private long concatenation() {
      long total = 0;
      while (i < p.length() && p.charAt(i) != '|' && p.charAt(i) != ')') {
        long atom = atom();
        while (i < p.length()) {
          char c = p.charAt(i);
          if (c == '*' || c == '+' || c == '?') {
            i++;
            atom = add(atom, 1);
          } else if (c == '{' && repeatCount() >= 0) {
            atom = multiply(Math.max(1, repeatCount()), atom);
            i = p.indexOf('}', i) + 1;
          } else {
            break;
          }
        }
        total = add(total, atom);
      }
      return total;
    }

    /** The largest count of a {n}, {n,} (counted as n + 1) or {n,m} at i, or -1 when the brace is a literal. */
    private int repeatCount() {
      int close = p.indexOf('}', i);
      if (close < 0) {
        return -1;
      }
      String body = p.substring(i + 1, close);
      int comma = body.indexOf(',');
      String lo = comma < 0 ? body : body.substring(0, comma);
      String hi = comma < 0 ? lo : body.substring(comma + 1);
      if (!digits(lo) || (!hi.isEmpty() && !digits(hi))) {
        return -1;
      }
      long n = hi.isEmpty() ? number(lo) + 1 : Math.max(number(lo), number(hi));
      return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static boolean digits(String s) {
      return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static long number(String digits) {
      return digits.length() > 9 ? Integer.MAX_VALUE : Long.parseLong(digits);
    }

    private long atom() {
      char c = p.charAt(i);
      if (c == '(') {
        i++;
        skipGroupPrefix();
        long inner = alternation();
        if (i < p.length() && p.charAt(i) == ')') {
          i++;
        }
        return Math.max(1, inner);
      }
      if (c == '[') {
        skipClass();
        return 1;
      }
      if (c == '\\') {
        return escape();
      }
      i++;
      return 1;
    }

    private void skipGroupPrefix() {
      if (i < p.length() && p.charAt(i) == '?') {
        // (?:, (?i), (?i:, (?P<name>, (?<name>
        int j = i + 1;
        if (j < p.length() && (p.charAt(j) == 'P' || p.charAt(j) == '<')) {
          int close = p.indexOf('>', j);
          i = close < 0 ? p.length() : close + 1;
          return;
        }
        while (j < p.length() && p.charAt(j) != ':' && p.charAt(j) != ')') {
          j++;
        }
        i = j < p.length() && p.charAt(j) == ':' ? j + 1 : j;
      }
    }

    private void skipClass() {
      int j = i + 1;
      if (j < p.length() && p.charAt(j) == '^') {
        j++;
      }
      if (j < p.length() && p.charAt(j) == ']') {
        j++;
      }
      while (j < p.length() && p.charAt(j) != ']') {
        if (p.charAt(j) == '\\') {
          j++;
        } else if (p.startsWith("[:", j)) {
          int close = p.indexOf(":]", j + 2);
          if (close >= 0) {
            j = close + 1;
          }
        }
        j++;
      }
      i = Math.min(p.length(), j + 1);
    }

    private long escape() {
      i++;
      if (i >= p.length()) {
        return 1;
      }
      char c = p.charAt(i++);
      if (c == 'Q') {
        int end = p.indexOf("\\E", i);
        int stop = end < 0 ? p.length() : end;
        long n = Math.max(1, stop - i);
        i = end < 0 ? p.length() : end + 2;
        return n;
      }
      if ((c == 'p' || c == 'P' || c == 'x') && i < p.length() && p.charAt(i) == '{') {
        int close = p.indexOf('}', i);
        i = close < 0 ? p.length() : close + 1;
      }
      return 1;
    }

    private static long add(long a, long b) {
      return Math.min(Long.MAX_VALUE / 4, a + b);
    }

    private static long multiply(long n, long x) {
      return x != 0 && n > (Long.MAX_VALUE / 4) / x ? Long.MAX_VALUE / 4 : n * x;
    }
  }
}
