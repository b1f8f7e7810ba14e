package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.wsgrid.bench.Report;
import org.junit.jupiter.api.Test;

/** When a fan-out step passes, and what it cost per delivery and per publication. */
class StepsTest {
  private static Report step(
      long publications, long deliveries, long drops, double p99, long errors) {
    return new Report("fanout")
        .put("publications", publications)
        .put("publications_per_s", publications / 2)
        .put("deliveries", deliveries)
        .put("drops", drops)
        .put("latency_p99_ms", p99)
        .put("errors", errors);
  }

  @Test
  void aStepPassesUnderTheP99LimitAtTheAskedRateWithinItsAllowedLoss() {
    assertThat(Steps.pass(step(2_000, 2_000, 0, 12, 0), 1_000, 0)).isTrue();
    assertThat(Steps.pass(step(2_000, 2_000, 0, 50, 0), 1_000, 0)).as("p99 at the limit").isFalse();
    assertThat(Steps.pass(step(2_000, 2_000, 0, 12, 1), 1_000, 0)).as("an error").isFalse();
    assertThat(Steps.pass(step(1_700, 1_700, 0, 12, 0), 1_000, 0))
        .as("under 90 % of the asked rate acked")
        .isFalse();
  }

  @Test
  void nothingLostMeansNoDropAtAllWhereTheFanOutSectionsAllowOnePercent() {
    Report oneDropped = step(2_000, 1_999, 1, 12, 0);
    assertThat(Steps.pass(oneDropped, 1_000, 0)).as("many small channels: nothing lost").isFalse();
    assertThat(Steps.pass(oneDropped, 1_000, 0.01))
        .as("fan-out: a stall may cost up to 1 %")
        .isTrue();
    assertThat(Steps.pass(step(2_000, 1_970, 30, 12, 0), 1_000, 0.01)).isFalse();
  }

  @Test
  void aStepsCostIsPerThousandDeliveriesAndPerPublication() {
    Steps.Cost cost = Steps.Cost.of(step(4_000, 40_000, 0, 5, 0), 600, 320, 0.5);
    assertThat(cost.serverMsPerThousand()).isCloseTo(15, within(1e-9));
    assertThat(cost.loadgenMsPerThousand()).isCloseTo(8, within(1e-9));
    assertThat(cost.serverUsPerPublication())
        .as("600 ms over 4,000 publications")
        .isCloseTo(150, within(1e-9));
    assertThat(cost.machineBusy()).isEqualTo(0.5);
    assertThat(Steps.Cost.of(step(0, 0, 0, 0, 0), 600, 320, 0.5))
        .as("nothing delivered: no cost to speak of")
        .isEqualTo(Steps.Cost.NONE);
  }

  @Test
  void theMedianCostIsTheMedianOfEachFigure() {
    Steps.Cost median =
        Steps.Cost.median(
            new Steps.Cost[] {
              new Steps.Cost(1, 9, 0.1, 30),
              new Steps.Cost(3, 7, 0.9, 10),
              new Steps.Cost(2, 8, 0.5, 20)
            });
    assertThat(median).isEqualTo(new Steps.Cost(2, 8, 0.5, 20));
  }
}
