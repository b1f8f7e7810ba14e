package io.wsgrid.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.wsgrid.config.ConfigException;
import org.slf4j.LoggerFactory;

/**
 * Puts the process's node or edge name into every log line (logback property {@code wsgrid.name};
 * in JSON lines it is under {@code context.properties}), and switches the format.
 */
final class Logs {
  private Logs() {}

  /**
   * Switches the console to one JSON object per line ({@code json}) or keeps the text lines ({@code
   * text}).
   */
  static void format(String format) {
    if ("text".equals(format)) return;
    if (!"json".equals(format))
      throw new ConfigException("--log-format must be text or json, got '" + format + "'");
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("JSON");
    appender.setEncoder(encoder);
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
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
      context.getLogger("com.hazelcast").setLevel(Level.ERROR);
    }
  }

  static void name(String name) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty("wsgrid.name", name);
    }
  }
}
