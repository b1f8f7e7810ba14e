package io.wsgrid.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" for Vert.x's own meters, and only for
 * them. vertx-micrometer-metrics 5.1 registers a server's connection gauge again for every new
 * connection, and its request gauge for every request, on purpose: registering is how it finds the
 * counter behind the gauge (vert-x3/vertx-micrometer-metrics#259,
 * micrometer-metrics/micrometer#6931). Micrometer 1.13.9 and later warn on the second registration,
 * so every node and edge printed the warning at its second HTTP connection. Micrometer's message
 * for any other meter (wsgrid's own included) passes; note that it logs only the first one in a
 * process at WARN, later ones at DEBUG. Installed by {@code logback.xml}.
 */
public final class VertxGaugeReRegistrations extends TurboFilter {
  static final String MICROMETER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
  private static final String VERTX_METER = "has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format != null
        && MICROMETER_REGISTRY.equals(logger.getName())
        && format.contains(VERTX_METER)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
