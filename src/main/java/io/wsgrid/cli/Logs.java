package io.wsgrid.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Puts the process's node or edge name into every log line (logback property {@code wsgrid.name}). */
final class Logs {
  private Logs() {}

  static void name(String name) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty("wsgrid.name", name);
    }
  }
}
