package io.switchboard.launcher.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain-text table for people: a header row, then one row per item, columns left-aligned and padded to their
 * widest cell, two spaces apart, no trailing blanks. A null cell shows as {@code -}; line breaks in a cell show as
 * spaces, so that one item is one line.
 */
public final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... headers) {
    this.headers = List.of(headers);
  }

  /** Adds a row; missing cells are blank, extra cells an error. */
  public Table row(Object... cells) {
    if (cells.length > headers.size()) {
      throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
    }
    List<String> r = new ArrayList<>();
    for (int i = 0; i < headers.size(); i++) {
      r.add(i < cells.length ? cell(cells[i]) : "");
    }
    rows.add(r);
    return this;
  }

  public int size() {
    return rows.size();
  }

  static String cell(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Double || v instanceof Float) {
      return number(((Number) v).doubleValue());
    }
    return v.toString().replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
  }

  /** A number as people read it: whole numbers without a fraction, others with at most 4 significant digits. */
  public static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return String.valueOf(d);
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return String.valueOf((long) d);
    }
    String s = String.format(Locale.ROOT, "%.4g", d);
    if (s.contains("e")) {
      return s;
    }
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  public String render() {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, headers, width);
    for (List<String> r : rows) {
      line(sb, r, width);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] width) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        l.append("  ");
      }
      l.append(cells.get(i));
      if (i < cells.size() - 1) {
        l.append(" ".repeat(width[i] - cells.get(i).length()));
      }
    }
    sb.append(l.toString().stripTrailing()).append('\n');
  }

  @Override
  public String toString() {
    return render();
  }
}
