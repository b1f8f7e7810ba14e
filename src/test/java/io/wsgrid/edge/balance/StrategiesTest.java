package io.wsgrid.edge.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrategiesTest {

  @Test
  void everyNameBuildsTheMatchingStrategy() {
    Map<String, Class<?>> expected = Map.of(
        "round-robin", RoundRobinStrategy.class,
        "random", RandomStrategy.class,
        "weighted", SmoothWeightedRoundRobinStrategy.class,
        "least-connections", LeastConnectionsStrategy.class,
        "power-of-two", PowerOfTwoChoicesStrategy.class,
        "consistent-hash", ConsistentHashStrategy.class);
    assertThat(BalancingStrategy.NAMES).containsExactlyInAnyOrderElementsOf(expected.keySet());
    List<Candidate> one = List.of(new Candidate("only", 1, 0));
    for (String name : BalancingStrategy.NAMES) {
      BalancingStrategy s = BalancingStrategy.create(name, 1.25);
      assertThat(s).isExactlyInstanceOf(expected.get(name));
      assertThat(s.name()).isEqualTo(name);
      assertThat(s.pick(one, "k")).contains(one.get(0));
      assertThat(s.pick(List.of(), "k")).isEmpty();
    }
  }

  @Test
  void namesAreTrimmedAndCaseInsensitive() {
    assertThat(Strategies.create(" Round-Robin ", 1.25).name()).isEqualTo("round-robin");
  }

  @Test
  void unknownNameListsTheChoices() {
    assertThatThrownBy(() -> BalancingStrategy.create("fastest", 1.25))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown strategy 'fastest'; choose one of: round-robin, random, weighted, "
            + "least-connections, power-of-two, consistent-hash");
    assertThatThrownBy(() -> BalancingStrategy.create(null, 1.25))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown strategy 'null'");
  }

  @Test
  void factorIsCheckedOnlyForConsistentHash() {
    assertThatThrownBy(() -> BalancingStrategy.create("consistent-hash", 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consistent-hash balance factor must be a finite number > 1.0")
        .hasMessageContaining("got 1.0");
    assertThatThrownBy(() -> BalancingStrategy.create("consistent-hash", 0.8))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(((ConsistentHashStrategy) BalancingStrategy.create("consistent-hash", 1.5))
        .factor()).isEqualTo(1.5);
    assertThat(BalancingStrategy.create("round-robin", 0.5).name()).isEqualTo("round-robin");
    assertThat(BalancingStrategy.create("least-connections", Double.NaN).name())
        .isEqualTo("least-connections");
  }
}
