package io.switchboard.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import io.switchboard.common.config.ConfigException;
import io.switchboard.common.config.ConfigKey;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.config.SwitchboardConfig;
import io.switchboard.common.tracing.TraceIdsToMdc;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures logging in code from the node's configuration: JSON lines (default) or text, per-package levels,
 * masking of sensitive fields in every line, on stdout and, with {@code log.file.path}, in a rolling file. Every
 * library logs through SLF4J into these appenders: Hazelcast ({@code hazelcast.logging.type=slf4j}), Netty, Vert.x
 * (its SLF4J delegate) and JUL (bridged). A Logback file given with {@code -Dlogback.configurationFile} takes
 * precedence over all of it (docs/operations.md, Logs).
 */
public final class LogSetup {
  /** The access log's logger (common/http/AccessLogHandler), silenced by {@code log.accessLog: false}. */
  public static final String ACCESS_LOGGER = "io.switchboard.access";

  private LogSetup() {}

  /** The system property through which a user names their own Logback configuration file. */
  public static final String USER_CONFIGURATION_PROPERTY = "logback.configurationFile";

  /** Call first thing in main, before any library logs. */
  public static void routeLibrariesToSlf4j() {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /** The Logback file the user gave with {@code -Dlogback.configurationFile}, or null. */
  public static String userConfiguration() {
    String file = System.getProperty(USER_CONFIGURATION_PROPERTY);
    return file == null || file.isBlank() ? null : file;
  }

  /**
   * Sets logging up from the node's configuration ({@code log.*}), unless the user gave their own Logback file: that
   * one is used as given (Logback read it at the first log call) and the {@code log.*} keys are not applied.
   *
   * @throws ConfigException naming {@code log.file.path} when the log file cannot be opened
   */
  public static void configure(SwitchboardConfig cfg, String nodeName, String nodeId) {
    String user = userConfiguration();
    if (user != null) {
      LoggerFactory.getLogger(LogSetup.class).info(
          "logging is configured by {} ({}); log.format, log.level, log.maskedFields and log.file.* are not applied",
          user, USER_CONFIGURATION_PROPERTY);
      return;
    }
    configure(cfg.getString(ConfigKeys.LOG_FORMAT), cfg.getString(ConfigKeys.LOG_LEVEL),
        cfg.getList(ConfigKeys.LOG_MASKED_FIELDS), nodeName, nodeId, LogFileSettings.from(cfg));
    if (!cfg.getBoolean(ConfigKeys.LOG_ACCESS)) {
      ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(ACCESS_LOGGER).setLevel(Level.OFF);
    }
  }

  /** Replaces the logging configuration with stdout only. */
  public static void configure(String format, String levels, List<String> maskedWords, String nodeName, String nodeId) {
    configure(format, levels, maskedWords, nodeName, nodeId, LogFileSettings.NONE);
  }

  /**
   * Replaces the logging configuration.
   *
   * @param format "json" or "text"
   * @param levels e.g. "info,io.switchboard.hub=debug"
   * @param maskedWords words that make a field sensitive
   * @param nodeName the value of the "node" field of every line
   * @param file the rolling log file, written besides stdout when enabled
   * @throws ConfigException naming {@code log.file.path} when the log file cannot be opened
   */
  public static void configure(String format, String levels, List<String> maskedWords, String nodeName, String nodeId,
      LogFileSettings file) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    ctx.addTurboFilter(new TraceIdsToMdc());
    Masker masker = new Masker(maskedWords);
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setName("console");
    appender.setContext(ctx);
    appender.setEncoder(encoder(ctx, format, masker, nodeName, nodeId));
    appender.start();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    if (file.enabled()) {
      root.addAppender(fileAppender(ctx, file, encoder(ctx, format, masker, nodeName, nodeId)));
    }
    Map<String, Level> parsed = parseLevels(levels);
    root.setLevel(parsed.getOrDefault("", Level.INFO));
    parsed.forEach((pkg, level) -> {
      if (!pkg.isEmpty()) {
        ctx.getLogger(pkg).setLevel(level);
      }
    });
  }

  /** A started encoder of the configured format; each appender gets its own. */
  private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, String format, Masker masker, String nodeName,
      String nodeId) {
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
    return encoder;
  }

  /** Logback's RollingFileAppender with a size-and-time policy, started; refuses a file it cannot open. */
  private static RollingFileAppender<ILoggingEvent> fileAppender(LoggerContext ctx, LogFileSettings file,
      Encoder<ILoggingEvent> encoder) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setName("file");
    appender.setContext(ctx);
    appender.setFile(file.path());
    appender.setEncoder(encoder);
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(ctx);
    policy.setParent(appender);
    policy.setFileNamePattern(file.archivePattern());
    policy.setMaxFileSize(new FileSize(file.maxFileSizeBytes()));
    policy.setMaxHistory(file.maxHistory());
    if (file.totalSizeCapBytes() > 0) {
      policy.setTotalSizeCap(new FileSize(file.totalSizeCapBytes()));
    }
    policy.start();
    appender.setRollingPolicy(policy);
    appender.setTriggeringPolicy(policy);
    appender.start();
    if (!policy.isStarted() || !appender.isStarted()) {
      throw new ConfigException(ConfigKeys.LOG_FILE_PATH, "invalid value for configuration key '"
          + ConfigKeys.LOG_FILE_PATH + "' (env " + ConfigKey.envName(ConfigKeys.LOG_FILE_PATH) + "): the log file " + file.path() + " cannot be opened for writing (check that its directory exists or can be created, and is writable)");
    }
    return appender;
  }

  private static LogstashFieldNames fieldNames() {
    LogstashFieldNames names = new LogstashFieldNames();
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
