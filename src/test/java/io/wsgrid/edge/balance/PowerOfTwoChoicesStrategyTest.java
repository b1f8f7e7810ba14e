package io.wsgrid.edge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PowerOfTwoChoicesStrategyTest {

  private static String pickId(BalancingStrategy s, List<Candidate> cs) {
    return s.pick(cs, "k").orElseThrow().id();
  }

  @Test
  void ofTwoWithDifferentLoadsAlwaysTakesTheLighter() {
    PowerOfTwoChoicesStrategy s = new PowerOfTwoChoicesStrategy(1L);
    assertThat(s.name()).isEqualTo("power-of-two");
    List<Candidate> cs = List.of(new Candidate("hot", 1, 50), new Candidate("cold", 1, 49));
    for (int i = 0; i < 1000; i++) {
      assertThat(pickId(s, cs)).isEqualTo("cold");
    }
  }

  @Test
  void neverPicksTheSingleMostLoadedBecauseTheTwoSamplesAreDistinct() {
    PowerOfTwoChoicesStrategy s = new PowerOfTwoChoicesStrategy(3L);
    List<Candidate> cs =
        List.of(
            new Candidate("a", 1, 5),
            new Candidate("max", 1, 9),
            new Candidate("c", 1, 6),
            new Candidate("d", 2, 10));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      seen.add(pickId(s, cs));
    }
    assertThat(seen).doesNotContain("max").contains("a", "c", "d");
  }

  @Test
  void respectsWeights() {
    PowerOfTwoChoicesStrategy s = new PowerOfTwoChoicesStrategy(5L);
    List<Candidate> cs = List.of(new Candidate("light", 1, 6), new Candidate("heavy", 2, 10));
    for (int i = 0; i < 100; i++) {
      assertThat(pickId(s, cs)).isEqualTo("heavy");
    }
  }

  @Test
  void burstOf1000ConnectsHasLowerMaxLoadThanRandom() {
    int n = 10;
    long p2cMax = simulateBurst(new PowerOfTwoChoicesStrategy(11L), n, 1000);
    long randomMax = simulateBurst(new RandomStrategy(11L), n, 1000);
    assertThat(p2cMax).isLessThan(randomMax);
    // two choices keep the maximum within a few of the mean (100)
    assertThat(p2cMax).isLessThanOrEqualTo(103);
    assertThat(randomMax).isGreaterThan(105);
  }

  private static long simulateBurst(BalancingStrategy s, int n, int connects) {
    long[] loads = new long[n];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      index.put("n" + i, i);
    }
    for (int k = 0; k < connects; k++) {
      List<Candidate> cs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        cs.add(new Candidate("n" + i, 1, loads[i]));
      }
      loads[index.get(pickId(s, cs))]++;
    }
    long max = 0;
    for (long l : loads) {
      max = Math.max(max, l);
    }
    return max;
  }

  @Test
  void singleEmptyAndSeedDeterminism() {
    PowerOfTwoChoicesStrategy s = new PowerOfTwoChoicesStrategy();
    assertThat(s.pick(List.of(), "k")).isEmpty();
    assertThat(pickId(s, List.of(new Candidate("only", 3, 100)))).isEqualTo("only");

    List<Candidate> cs =
        List.of(new Candidate("a", 1, 1), new Candidate("b", 1, 1), new Candidate("c", 1, 1));
    PowerOfTwoChoicesStrategy x = new PowerOfTwoChoicesStrategy(9L);
    PowerOfTwoChoicesStrategy y = new PowerOfTwoChoicesStrategy(9L);
    List<String> sx = new ArrayList<>();
    List<String> sy = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sx.add(pickId(x, cs));
      sy.add(pickId(y, cs));
    }
    assertThat(sx).isEqualTo(sy).contains("a", "b", "c");
  }
}
