package io.wsgrid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What RESULTS.md says under a missed target. */
class GapsTest {
  @Test
  void eachTargetRowGetsItsOwnCause() {
    assertThat(Gaps.cause("single-node fan-out, deliveries/s at p99 < 50 ms")).contains("loopback send").contains("2X/(X+L)");
    assertThat(Gaps.cause("3-node cluster fan-out, deliveries/s at p99 < 50 ms")).contains("Hazelcast");
    assertThat(Gaps.cause("edge tunnel: connects/s (3000 sockets, 100 in flight)")).contains("43 system calls");
    assertThat(Gaps.cause("edge tunnel: fan-out throughput (deliveries/s at p99 < 50 ms)")).contains("same few rates");
    assertThat(Gaps.cause("idle sockets on one node: RSS per socket (15000 held, fresh process)"))
        .isEqualTo(Gaps.cause("idle sockets, the same on JDK 25 with -XX:+UseCompactObjectHeaders (1 run)"))
        .contains("outbound queue");
  }

  @Test
  void aMissWithoutAKnownCauseSaysWhatToDo() {
    assertThat(Gaps.cause("balance, 10000 connects over 4 nodes, power-of-two: max/mean"))
        .startsWith("No cause found yet").contains("bench compare --only");
  }

  @Test
  void theGapShowsTheRatioAgainstItsTarget() {
    assertThat(Gaps.ratioGap(0.6049, 0.9)).isEqualTo("0.60× against ≥ 0.9×");
  }
}
