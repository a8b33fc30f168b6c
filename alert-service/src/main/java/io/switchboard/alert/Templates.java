package io.switchboard.alert;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders summary/description templates: {{value}}, {{threshold}}, {{rule}}, {{severity}}, {{labels.x}}. Pure. */
public final class Templates {
  private Templates() {}

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}]*?)\\s*}}");

  public static String render(String template, Rule rule, Double value, Map<String, String> labels) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String p = m.group(1);
      String r = switch (p) {
        case "value" -> format(value);
        case "threshold" -> format(rule.threshold());
        case "rule" -> rule.name();
        case "severity" -> rule.severity();
        default -> p.startsWith("labels.") ? labels.getOrDefault(p.substring(7), "") : m.group();
      };
      m.appendReplacement(sb, Matcher.quoteReplacement(r));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** A number for people: integers without decimals, others with 4 significant digits; null as "n/a". */
  public static String format(Double v) {
    if (v == null) {
      return "n/a";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf(v.longValue());
    }
    return BigDecimal.valueOf(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }
}
