package io.wsgrid.edge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastConnectionsStrategyTest {

  private static String pickId(BalancingStrategy s, List<Candidate> cs) {
    return s.pick(cs, "k").orElseThrow().id();
  }

  @Test
  void picksTheSmallestLoad() {
    LeastConnectionsStrategy s = new LeastConnectionsStrategy();
    assertThat(s.name()).isEqualTo("least-connections");
    List<Candidate> cs =
        List.of(new Candidate("a", 1, 7), new Candidate("b", 1, 3), new Candidate("c", 1, 5));
    for (int i = 0; i < 10; i++) {
      assertThat(pickId(s, cs)).isEqualTo("b");
    }
  }

  @Test
  void respectsWeights() {
    LeastConnectionsStrategy s = new LeastConnectionsStrategy();
    // 10 / 2 = 5 beats 6 / 1 = 6
    List<Candidate> cs = List.of(new Candidate("light", 1, 6), new Candidate("heavy", 2, 10));
    for (int i = 0; i < 4; i++) {
      assertThat(pickId(s, cs)).isEqualTo("heavy");
    }
    // 14 / 2 = 7 loses to 6 / 1
    List<Candidate> cs2 = List.of(new Candidate("light", 1, 6), new Candidate("heavy", 2, 14));
    for (int i = 0; i < 4; i++) {
      assertThat(pickId(s, cs2)).isEqualTo("light");
    }
  }

  @Test
  void equalRatiosRotate() {
    LeastConnectionsStrategy s = new LeastConnectionsStrategy();
    List<Candidate> cs =
        List.of(new Candidate("a", 1, 4), new Candidate("b", 2, 8), new Candidate("c", 1, 4));
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seen.add(pickId(s, cs));
    }
    assertThat(seen).containsExactly("a", "b", "c", "a", "b", "c");
  }

  @Test
  void tiesAmongTheMinimumAlternateAndOthersAreNeverPicked() {
    LeastConnectionsStrategy s = new LeastConnectionsStrategy();
    List<Candidate> cs =
        List.of(new Candidate("a", 1, 2), new Candidate("b", 1, 9), new Candidate("c", 1, 2));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      counts.merge(pickId(s, cs), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("a", "c");
    assertThat(counts.get("a")).isBetween(100, 200);
  }

  @Test
  void hugeLoadsDoNotOverflow() {
    LeastConnectionsStrategy s = new LeastConnectionsStrategy();
    // MAX/1000 ~ 9.2e15 beats (MAX-1)/1 although plain long products would overflow
    List<Candidate> cs =
        List.of(
            new Candidate("big", 1, Long.MAX_VALUE - 1),
            new Candidate("wide", 1000, Long.MAX_VALUE));
    for (int i = 0; i < 4; i++) {
      assertThat(pickId(s, cs)).isEqualTo("wide");
    }
    assertThat(Strategies.compareLoad(cs.get(1), cs.get(0))).isNegative();
    assertThat(Strategies.compareLoad(cs.get(0), cs.get(1))).isPositive();
    assertThat(Strategies.compareLoad(cs.get(0), cs.get(0))).isZero();
  }

  @Test
  void emptyAndUnmodifiedList() {
    LeastConnectionsStrategy s = new LeastConnectionsStrategy();
    assertThat(s.pick(List.of(), "k")).isEmpty();
    List<Candidate> orig = List.of(new Candidate("a", 1, 3), new Candidate("b", 1, 1));
    List<Candidate> list = new ArrayList<>(orig);
    for (int i = 0; i < 5; i++) {
      s.pick(list, "k");
    }
    assertThat(list).isEqualTo(orig);
  }
}
