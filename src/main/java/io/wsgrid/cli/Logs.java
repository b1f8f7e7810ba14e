package io.wsgrid.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Puts the process's node or edge name into every log line (logback property {@code wsgrid.name};
 * in JSON lines it is under {@code context.properties}), and switches the format.
 */
final class Logs {
  private Logs() {}

  /** Switches the console to one JSON object per line ({@code json}) or keeps the text lines ({@code text}). */
  static void format(String format) {
    if ("text".equals(format)) return;
    if (!"json".equals(format)) throw new io.wsgrid.config.ConfigException("--log-format must be text or json, got '" + format + "'");
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    ch.qos.logback.classic.encoder.JsonEncoder encoder = new ch.qos.logback.classic.encoder.JsonEncoder();
    encoder.setContext(context);
    encoder.start();
    ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ch.qos.logback.core.ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("JSON");
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  /**
   * For a stop of the whole cluster ({@code local}'s Ctrl-C): peers vanishing is expected then, and
   * Hazelcast's warnings about it ("suspected to be dead", "Connection refused", "Terminating
   * forcefully") would only bury the lines that say what the stop does. Its errors still show.
   */
  static void quietPeers() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger("com.hazelcast").setLevel(ch.qos.logback.classic.Level.ERROR);
    }
  }

  static void name(String name) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty("wsgrid.name", name);
    }
  }
}
