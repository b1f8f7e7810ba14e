package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsgrid.compare.CpuSection.AtRate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which rate the CPU-per-publication target is read at: the highest every server held. */
class CpuSectionTest {
  private static AtRate at(double rate, double us, boolean... passed) {
    double[] each = new double[passed.length];
    double[] p99 = new double[passed.length];
    for (int i = 0; i < passed.length; i++) {
      each[i] = us + i;
      p99[i] = passed[i] ? 9 : 120;
    }
    return new AtRate(rate, each, p99, passed);
  }

  @Test
  void aRateIsHeldWhenMostRunsHeldIt() {
    assertThat(at(4_000, 20, true, false, true).held()).isTrue();
    assertThat(at(4_000, 20, false, false, true).held()).isFalse();
    assertThat(at(4_000, 20, true).held()).as("one run (--quick)").isTrue();
    assertThat(at(4_000, 20, true, false).held()).as("a tie is not held").isFalse();
  }

  @Test
  void aRateNotHeldSaysSoWithItsP99() {
    assertThat(at(8_000, 20, true, true, true).describe()).isEqualTo("21.0 µs");
    assertThat(at(8_000, 20, false, false, true).describe())
        .isEqualTo("21.0 µs (not held: p99 120 ms)");
  }

  @Test
  void theTargetIsReadAtTheHighestRateEveryServerHeld() {
    AtRate[] wsgrid = {at(4_000, 20, true), at(8_000, 22, true), at(12_000, 25, true)};
    AtRate[] node = {at(4_000, 30, true), at(8_000, 31, true), at(12_000, 40, false)};
    AtRate[] socketio = {at(4_000, 60, true), at(8_000, 70, true), at(12_000, 90, true)};
    assertThat(CpuSection.highestHeldByAll(List.of(wsgrid, node, socketio), 3))
        .as("Node ws dropped 12,000/s")
        .isEqualTo(1);
    assertThat(CpuSection.highestHeldByAll(List.of(wsgrid, socketio), 3)).isEqualTo(2);
    AtRate[] none = {at(4_000, 30, false), at(8_000, 31, false), at(12_000, 40, false)};
    assertThat(CpuSection.highestHeldByAll(List.of(wsgrid, none), 3)).isEqualTo(-1);
  }
}
