package io.wsgrid.edge.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StrategiesTest {

  @Test
  void everyNameBuildsTheMatchingStrategy() {
    Map<String, Class<?>> expected =
        Map.of(
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
        .hasMessage(
            "unknown strategy 'fastest'; choose one of: round-robin, random, weighted, "
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
    assertThat(((ConsistentHashStrategy) BalancingStrategy.create("consistent-hash", 1.5)).factor())
        .isEqualTo(1.5);
    assertThat(BalancingStrategy.create("round-robin", 0.5).name()).isEqualTo("round-robin");
    assertThat(BalancingStrategy.create("least-connections", Double.NaN).name())
        .isEqualTo("least-connections");
  }

  @Test
  void theCompletionCandidatesAreTheTablesNamesAndEachResolves() {
    List<String> candidates = new ArrayList<>();
    new BalancingStrategy.Names().forEach(candidates::add);
    assertThat(candidates)
        .containsExactly(
            "round-robin",
            "random",
            "weighted",
            "least-connections",
            "power-of-two",
            "consistent-hash");
    assertThat(candidates).isEqualTo(BalancingStrategy.NAMES);
    for (String name : candidates) {
      assertThat(BalancingStrategy.create(name, 1.25).name()).isEqualTo(name);
      assertThat(BalancingStrategy.create(name, 1.25))
          .as("a new instance per call")
          .isNotSameAs(BalancingStrategy.create(name, 1.25));
    }
  }

  @Test
  void connectionEventsChangeNoBuiltInStrategysPicks() {
    List<Candidate> cs =
        List.of(new Candidate("a", 3, 4), new Candidate("b", 1, 0), new Candidate("c", 2, 9));
    for (String name : List.of("round-robin", "weighted", "least-connections", "consistent-hash")) {
      BalancingStrategy told = BalancingStrategy.create(name, 1.25);
      BalancingStrategy untold = BalancingStrategy.create(name, 1.25);
      for (int i = 0; i < 20; i++) {
        told.opened("a");
        told.opened("b");
        told.closed("a");
        assertThat(told.pick(cs, "key" + i))
            .as(name + " pick " + i)
            .isEqualTo(untold.pick(cs, "key" + i));
      }
    }
  }

  @Test
  void aStrategyCanBalanceOnItsOwnCountsFromConnectionEvents() {
    BalancingStrategy own = new FewestOpenedHere();
    List<Candidate> cs = List.of(new Candidate("a", 1, 0), new Candidate("b", 1, 0));
    own.opened("a");
    own.opened("a");
    own.opened("b");
    assertThat(own.pick(cs, null)).map(Candidate::id).contains("b");
    own.closed("a");
    own.closed("a");
    assertThat(own.pick(cs, null)).map(Candidate::id).contains("a");
  }

  /** Counts only what the hooks say (the registry's loads are ignored). */
  static final class FewestOpenedHere implements BalancingStrategy {
    private final Map<String, Integer> open = new HashMap<>();

    @Override
    public synchronized void opened(String node) {
      open.merge(node, 1, Integer::sum);
    }

    @Override
    public synchronized void closed(String node) {
      open.merge(node, -1, Integer::sum);
    }

    @Override
    public synchronized Optional<Candidate> pick(List<Candidate> candidates, String key) {
      return candidates.stream()
          .min(
              (x, y) ->
                  Integer.compare(open.getOrDefault(x.id(), 0), open.getOrDefault(y.id(), 0)));
    }

    @Override
    public String name() {
      return "fewest-opened-here";
    }
  }
}
