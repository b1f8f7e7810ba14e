package io.wsgrid.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The one reader of {@code /metrics} bodies the tests share, on a real Micrometer scrape and on the
 * format's corners.
 */
class PrometheusSamplesTest {

  @Test
  void readsAMicrometerScrapeByNameAndLabels() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("wsgrid_rejections")
        .tag("node", "n1")
        .tag("reason", "origin")
        .register(registry)
        .increment(2);
    Counter.builder("wsgrid_rejections")
        .tag("node", "n1")
        .tag("reason", "rate_limited")
        .register(registry)
        .increment(3);
    Counter.builder("wsgrid_rejections")
        .tag("node", "n2")
        .tag("reason", "origin")
        .register(registry)
        .increment(5);
    Gauge.builder("wsgrid_cluster_nodes", () -> 3).register(registry);
    String text = registry.scrape();

    assertThat(
            PrometheusSamples.value(
                text, "wsgrid_rejections_total", "node", "n1", "reason", "origin"))
        .isEqualTo(2);
    assertThat(PrometheusSamples.sum(text, "wsgrid_rejections_total", "node", "n1")).isEqualTo(5);
    assertThat(PrometheusSamples.sum(text, "wsgrid_rejections_total", "reason", "origin"))
        .isEqualTo(7);
    assertThat(PrometheusSamples.sum(text, "wsgrid_rejections_total")).isEqualTo(10);
    assertThat(PrometheusSamples.sum(text, "wsgrid_rejections_total", "node", "n3"))
        .as("none counted yet")
        .isZero();
    assertThat(PrometheusSamples.value(text, "wsgrid_cluster_nodes")).isEqualTo(3);
    assertThat(PrometheusSamples.value(text, "wsgrid_missing")).isNaN();
    assertThat(PrometheusSamples.names(text))
        .contains("wsgrid_rejections_total", "wsgrid_cluster_nodes");
    assertThatThrownBy(() -> PrometheusSamples.value(text, "wsgrid_rejections_total", "node", "n1"))
        .hasMessageContaining("2 samples")
        .hasMessageContaining("name more labels");
  }

  @Test
  void readsQuotedLabelValuesTimestampsAndInfinities() {
    String text =
        """
        # HELP odd a metric with odd labels
        # TYPE odd gauge
        odd{path="/a,b}",quote="say \\"hi\\"",back="c:\\\\x"} 1.5 1700000000000
        odd{path="plain"} +Inf
        bare 7

        """;
    assertThat(PrometheusSamples.value(text, "odd", "path", "/a,b}")).isEqualTo(1.5);
    assertThat(PrometheusSamples.value(text, "odd", "quote", "say \"hi\"")).isEqualTo(1.5);
    assertThat(PrometheusSamples.value(text, "odd", "back", "c:\\x")).isEqualTo(1.5);
    assertThat(PrometheusSamples.value(text, "odd", "path", "plain")).isInfinite();
    assertThat(PrometheusSamples.value(text, "bare")).isEqualTo(7);
    assertThat(PrometheusSamples.value(text, "odd", "path", "/a,b"))
        .as("a prefix of a label value is no match")
        .isNaN();
    assertThatThrownBy(() -> PrometheusSamples.parse("cut{node=\"n1\""))
        .hasMessageContaining("not a Prometheus sample");
  }
}
