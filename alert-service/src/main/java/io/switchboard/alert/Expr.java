package io.switchboard.alert;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * A small arithmetic expression over stats fields: field paths ({@code errorRate}, {@code latency.p95},
 * {@code perNode.heapRatio}), numbers, {@code + - * /} and parentheses. Evaluates to null when a field is missing
 * or a division has a zero divisor (no data is not a breach). At most {@link #MAX_DEPTH} levels of parentheses and
 * signs and {@link #MAX_NODES} terms and operators, so neither parsing nor evaluation can exhaust the stack. Pure
 * and immutable.
 */
public final class Expr {
  /** Deepest nesting of parentheses and unary minus accepted. */
  public static final int MAX_DEPTH = 64;
  /** Most terms and operators accepted in one expression. */
  public static final int MAX_NODES = 256;

  private final String source;
  private final Node root;
  private final Set<String> fields;

  private Expr(String source, Node root, Set<String> fields) {
    this.source = source;
    this.root = root;
    this.fields = fields;
  }

  /** Parses an expression; throws IllegalArgumentException with the reason. */
  public static Expr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expr is empty");
    }
    Parser p = new Parser(text);
    Node n = p.sum();
    p.skipSpace();
    if (p.pos < text.length()) {
      throw new IllegalArgumentException("unexpected '" + text.charAt(p.pos) + "' at position " + (p.pos + 1) + " of expr '" + text + "'");
    }
    return new Expr(text.trim(), n, Set.copyOf(p.fields));
  }

  public String source() {
    return source;
  }

  /** The field paths the expression reads. */
  public Set<String> fields() {
    return fields;
  }

  public Double eval(Function<String, Double> resolver) {
    return root.eval(resolver);
  }

  @Override
  public String toString() {
    return source;
  }

  private interface Node {
    Double eval(Function<String, Double> r);
  }

  private static final class Parser {
    final String s;
    int pos;
    final Set<String> fields = new LinkedHashSet<>();
    int depth;
    int nodes;

    Parser(String s) {
      this.s = s;
    }

    /** Counts a term or an operator; refuses an expression with more than MAX_NODES. */
    void count() {
      if (++nodes > MAX_NODES) {
        throw new IllegalArgumentException("expr has more than " + MAX_NODES + " terms and operators");
      }
    }

    /** Enters a parenthesis or a sign; refuses nesting deeper than MAX_DEPTH. */
    void enter() {
      if (++depth > MAX_DEPTH) {
        throw new IllegalArgumentException("expr nests parentheses and signs deeper than " + MAX_DEPTH + " levels");
      }
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    Node sum() {
      Node left = product();
      while (true) {
        skipSpace();
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          char op = s.charAt(pos++);
          count();
          Node l = left;
          Node r = product();
          left = op == '+' ? f -> bin(l.eval(f), r.eval(f), Double::sum) : f -> bin(l.eval(f), r.eval(f), (a, b) -> a - b);
        } else {
          return left;
        }
      }
    }

    Node product() {
      Node left = atom();
      while (true) {
        skipSpace();
        if (pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/')) {
          char op = s.charAt(pos++);
          count();
          Node l = left;
          Node r = atom();
          left = op == '*' ? f -> bin(l.eval(f), r.eval(f), (a, b) -> a * b) : f -> {
            Double a = l.eval(f);
            Double b = r.eval(f);
            return a == null || b == null || b == 0 ? null : a / b;
          };
        } else {
          return left;
        }
      }
    }

    Node atom() {
      skipSpace();
      if (pos >= s.length()) {
        throw new IllegalArgumentException("expr '" + s + "' ends too early");
      }
      char c = s.charAt(pos);
      count();
      if (c == '(') {
        pos++;
        enter();
        Node n = sum();
        depth--;
        skipSpace();
        if (pos >= s.length() || s.charAt(pos) != ')') {
          throw new IllegalArgumentException("missing ')' in expr '" + s + "'");
        }
        pos++;
        return n;
      }
      if (c == '-') {
        pos++;
        enter();
        Node n = atom();
        depth--;
        return f -> {
          Double v = n.eval(f);
          return v == null ? null : -v;
        };
      }
      if (Character.isDigit(c) || c == '.') {
        int start = pos;
        while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
          pos++;
        }
        double v;
        try {
          v = Double.parseDouble(s.substring(start, pos));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad number '" + s.substring(start, pos) + "' in expr '" + s + "'");
        }
        return f -> v;
      }
      if (Character.isLetter(c)) {
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == '_')) {
          pos++;
        }
        String path = s.substring(start, pos);
        if (path.endsWith(".") || path.contains("..")) {
          throw new IllegalArgumentException("bad field path '" + path + "' in expr '" + s + "'");
        }
        fields.add(path);
        return f -> f.apply(path);
      }
      throw new IllegalArgumentException("unexpected '" + c + "' at position " + (pos + 1) + " of expr '" + s + "'");
    }

    private static Double bin(Double a, Double b, BinaryOperator<Double> op) {
      return a == null || b == null ? null : op.apply(a, b);
    }
  }
}
