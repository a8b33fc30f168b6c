package io.switchboard.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.switchboard.common.tracing.TraceIdsToMdc;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures logging in code from the node's configuration: JSON lines (default) or text, per-package levels,
 * masking of sensitive fields in every line. Every library logs through SLF4J into this one appender:
 * Hazelcast ({@code hazelcast.logging.type=slf4j}), Netty, Vert.x (its SLF4J delegate) and JUL (bridged).
 */
public final class LogSetup {
  private LogSetup() {}

  /** Call first thing in main, before any library logs. */
  public static void routeLibrariesToSlf4j() {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /**
   * Replaces the logging configuration.
   *
   * @param format "json" or "text"
   * @param levels e.g. "info,io.switchboard.hub=debug"
   * @param maskedWords words that make a field sensitive
   * @param nodeName the value of the "node" field of every line
   */
  public static void configure(String format, String levels, List<String> maskedWords, String nodeName, String nodeId) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    ctx.addTurboFilter(new TraceIdsToMdc());
    Masker masker = new Masker(maskedWords);
    Encoder<ILoggingEvent> encoder;
    if ("text".equals(format)) {
      MaskingTextLayout layout = new MaskingTextLayout(masker, nodeName);
      layout.setContext(ctx);
      layout.start();
      LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
      enc.setLayout(layout);
      encoder = enc;
    } else {
      LogstashEncoder enc = new LogstashEncoder();
      enc.setCustomFields(new JsonObject().put("node", nodeName).put("nodeId", nodeId).encode());
      enc.setFieldNames(fieldNames());
      MaskingJsonGeneratorDecorator decorator = new MaskingJsonGeneratorDecorator();
      decorator.addValueMasker(new MaskingValueMasker(masker));
      decorator.start();
      enc.setJsonGeneratorDecorator(decorator);
      encoder = enc;
    }
    encoder.setContext(ctx);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setName("console");
    appender.setContext(ctx);
    appender.setEncoder(encoder);
    appender.start();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    Map<String, Level> parsed = parseLevels(levels);
    root.setLevel(parsed.getOrDefault("", Level.INFO));
    parsed.forEach((pkg, level) -> {
      if (!pkg.isEmpty()) {
        ctx.getLogger(pkg).setLevel(level);
      }
    });
  }

  private static net.logstash.logback.fieldnames.LogstashFieldNames fieldNames() {
    net.logstash.logback.fieldnames.LogstashFieldNames names = new net.logstash.logback.fieldnames.LogstashFieldNames();
    names.setTimestamp("timestamp");
    names.setLogger("logger");
    names.setThread("thread");
    names.setVersion("[ignore]");
    names.setLevelValue("[ignore]");
    return names;
  }

  /**
   * Parses "info,io.switchboard.hub=debug" into {"" → INFO, "io.switchboard.hub" → DEBUG}.
   *
   * @throws IllegalArgumentException naming the bad part
   */
  public static Map<String, Level> parseLevels(String spec) {
    Map<String, Level> out = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      out.put("", Level.INFO);
      return out;
    }
    for (String part : spec.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String pkg = eq < 0 ? "" : p.substring(0, eq).trim();
      String lvl = eq < 0 ? p : p.substring(eq + 1).trim();
      Level level = Level.toLevel(lvl, null);
      if (level == null || (eq >= 0 && pkg.isEmpty())) {
        throw new IllegalArgumentException("'" + p + "' is not a level (trace, debug, info, warn, error, off) or package=level");
      }
      out.put(pkg, level);
    }
    out.putIfAbsent("", Level.INFO);
    return out;
  }
}
