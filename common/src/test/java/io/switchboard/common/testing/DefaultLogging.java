package io.switchboard.common.testing;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.slf4j.LoggerFactory;

/** Puts Logback back to its default configuration after a test that ran LogSetup (which replaces it). */
public final class DefaultLogging {
  private DefaultLogging() {
  }

  public static void restore() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    try {
      new ContextInitializer(ctx).autoConfig();
    } catch (Exception e) {
      throw new IllegalStateException("Logback's default configuration could not be restored", e);
    }
  }
}
