package io.wsgrid.edge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinStrategyTest {

  private static final Candidate A = new Candidate("a", 5, 0);
  private static final Candidate B = new Candidate("b", 1, 0);
  private static final Candidate C = new Candidate("c", 1, 0);
  private static final List<Candidate> ABC = List.of(A, B, C);

  private static List<String> picks(BalancingStrategy s, List<Candidate> cs, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(s.pick(cs, "k").orElseThrow().id());
    }
    return out;
  }

  @Test
  void nginxSmoothSequence() {
    SmoothWeightedRoundRobinStrategy s = new SmoothWeightedRoundRobinStrategy();
    assertThat(s.name()).isEqualTo("weighted");
    assertThat(picks(s, ABC, 7)).containsExactly("a", "a", "b", "a", "c", "a", "a");
    assertThat(picks(s, ABC, 7)).containsExactly("a", "a", "b", "a", "c", "a", "a");
  }

  @Test
  void exactProportionsOver700Picks() {
    SmoothWeightedRoundRobinStrategy s = new SmoothWeightedRoundRobinStrategy();
    Map<String, Integer> counts = new HashMap<>();
    picks(s, ABC, 700).forEach(id -> counts.merge(id, 1, Integer::sum));
    assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("a", 500, "b", 100, "c", 100));
  }

  @Test
  void loadChangesDoNotResetTheSchedule() {
    SmoothWeightedRoundRobinStrategy s = new SmoothWeightedRoundRobinStrategy();
    assertThat(picks(s, ABC, 3)).containsExactly("a", "a", "b");
    List<Candidate> loaded =
        List.of(new Candidate("a", 5, 40), new Candidate("b", 1, 7), new Candidate("c", 1, 9));
    assertThat(picks(s, loaded, 4)).containsExactly("a", "c", "a", "a");
  }

  @Test
  void adaptsWhenANodeIsRemovedAndAdded() {
    SmoothWeightedRoundRobinStrategy s = new SmoothWeightedRoundRobinStrategy();
    picks(s, ABC, 3);
    List<Candidate> ac = List.of(A, C);
    assertThat(picks(s, ac, 6)).containsExactly("a", "a", "a", "c", "a", "a");
    Map<String, Integer> counts = new HashMap<>();
    picks(s, ac, 600).forEach(id -> counts.merge(id, 1, Integer::sum));
    assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("a", 500, "c", 100));

    List<Candidate> withD = List.of(A, C, new Candidate("d", 4, 0));
    counts.clear();
    picks(s, withD, 1000).forEach(id -> counts.merge(id, 1, Integer::sum));
    assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("a", 500, "c", 100, "d", 400));
  }

  @Test
  void weightChangeRebuilds() {
    SmoothWeightedRoundRobinStrategy s = new SmoothWeightedRoundRobinStrategy();
    picks(s, ABC, 2);
    List<Candidate> equal = List.of(new Candidate("a", 1, 0), B, C);
    assertThat(picks(s, equal, 6)).containsExactly("a", "b", "c", "a", "b", "c");
  }

  @Test
  void emptyAndUnmodifiedList() {
    SmoothWeightedRoundRobinStrategy s = new SmoothWeightedRoundRobinStrategy();
    assertThat(s.pick(List.of(), "k")).isEmpty();
    List<Candidate> list = new ArrayList<>(ABC);
    picks(s, list, 10);
    assertThat(list).isEqualTo(ABC);
  }

  @Test
  void concurrentPicksKeepExactProportions() throws Exception {
    SmoothWeightedRoundRobinStrategy s = new SmoothWeightedRoundRobinStrategy();
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th =
          new Thread(
              () ->
                  picks(s, ABC, 700)
                      .forEach(
                          id ->
                              counts
                                  .computeIfAbsent(id, k -> new AtomicInteger())
                                  .incrementAndGet()));
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
    assertThat(counts.get("a").get()).isEqualTo(2000);
    assertThat(counts.get("b").get()).isEqualTo(400);
    assertThat(counts.get("c").get()).isEqualTo(400);
  }
}
