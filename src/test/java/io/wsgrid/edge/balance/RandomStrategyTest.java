package io.wsgrid.edge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomStrategyTest {

  private static List<Candidate> nodes(int n) {
    List<Candidate> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(new Candidate("n" + i, 1 + i, i * 10L));
    }
    return List.copyOf(cs);
  }

  @Test
  void roughlyUniformByChiSquare() {
    List<Candidate> cs = nodes(6);
    RandomStrategy s = new RandomStrategy(42L);
    int picks = 60_000;
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(s.pick(cs, "k").orElseThrow().id(), 1, Integer::sum);
    }
    assertThat(counts).hasSize(6);
    double expected = picks / 6.0;
    double chi2 = 0;
    for (int c : counts.values()) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    // 5 degrees of freedom: the 99.9% quantile is 20.5
    assertThat(chi2).isLessThan(20.5);
    counts.values().forEach(c -> assertThat(c).isBetween(9_500, 10_500));
  }

  @Test
  void sameSeedSameSequence() {
    List<Candidate> cs = nodes(5);
    RandomStrategy a = new RandomStrategy(7L);
    RandomStrategy b = new RandomStrategy(7L);
    List<String> sa = new ArrayList<>();
    List<String> sb = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sa.add(a.pick(cs, null).orElseThrow().id());
      sb.add(b.pick(cs, null).orElseThrow().id());
    }
    assertThat(sa).isEqualTo(sb);
    assertThat(sa).containsAll(List.of("n0", "n1", "n2", "n3", "n4"));
  }

  @Test
  void defaultInstanceReachesEveryNodeAndHandlesEmpty() {
    RandomStrategy s = new RandomStrategy();
    assertThat(s.name()).isEqualTo("random");
    assertThat(s.pick(List.of(), "k")).isEmpty();
    List<Candidate> cs = nodes(3);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      counts.merge(s.pick(cs, "k").orElseThrow().id(), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("n0", "n1", "n2");
    counts.values().forEach(c -> assertThat(c).isGreaterThan(800));
  }
}
