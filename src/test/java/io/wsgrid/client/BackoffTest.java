package io.wsgrid.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void delaysStayWithinTheGrowingCeiling() {
    Backoff backoff = new Backoff(100, 10_000);
    for (int attempt = 0; attempt < 40; attempt++) {
      long ceiling = Math.min(10_000, attempt >= 30 ? 10_000 : 100L << attempt);
      for (int i = 0; i < 200; i++) assertThat(backoff.delayMs(attempt)).isBetween(0L, ceiling);
    }
  }

  @Test
  void fullJitterSpreadsAThousandClientsOverTheWholeWindow() {
    Backoff backoff = new Backoff(100, 10_000);
    long[] delays = IntStream.range(0, 1000).mapToLong(i -> backoff.delayMs(10)).sorted().toArray();
    // uniform over [0, 10 s]: no pile-up at one instant, both ends of the window used
    assertThat(delays[0]).isLessThan(500);
    assertThat(delays[999]).isGreaterThan(9_500);
    long inOneSecond = java.util.Arrays.stream(delays).filter(d -> d < 1_000).count();
    assertThat(inOneSecond).isBetween(50L, 160L);
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(100, 10)).isInstanceOf(IllegalArgumentException.class);
  }
}
