package io.wsgrid.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class VertxGaugeReRegistrationsTest {
  private final LoggerContext context = new LoggerContext();
  private final VertxGaugeReRegistrations filter = new VertxGaugeReRegistrations();

  private FilterReply decide(String logger, String message) {
    return filter.decide(null, context.getLogger(logger), Level.WARN, message, null, null);
  }

  @Test
  void dropsMicrometersWarningForVertxGauges() {
    assertThat(
            decide(
                VertxGaugeReRegistrations.MICROMETER_REGISTRY,
                "This Gauge has been already registered"
                    + " (MeterId{name='vertx.http.server.active.connections', tags=[]}), the registration will be ignored."))
        .isEqualTo(FilterReply.DENY);
  }

  @Test
  void letsTheWarningForAnyOtherMeterThrough() {
    assertThat(
            decide(
                VertxGaugeReRegistrations.MICROMETER_REGISTRY,
                "This Gauge has been already registered"
                    + " (MeterId{name='wsgrid.connections', tags=[tag(node=n1)]}), the registration will be ignored."))
        .isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  void leavesOtherLoggersAndMessagesAlone() {
    assertThat(
            decide("io.wsgrid.node.Node", "has been already registered (MeterId{name='vertx.x'}"))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(
            decide(
                VertxGaugeReRegistrations.MICROMETER_REGISTRY,
                "A MeterFilter is being configured after a Meter has been registered"))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(VertxGaugeReRegistrations.MICROMETER_REGISTRY, null))
        .isEqualTo(FilterReply.NEUTRAL);
  }
}
