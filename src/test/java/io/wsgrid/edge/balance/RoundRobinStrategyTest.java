package io.wsgrid.edge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinStrategyTest {

  private static final List<Candidate> ABC =
      List.of(new Candidate("a", 1, 0), new Candidate("b", 5, 100), new Candidate("c", 1, 3));

  private static String pickId(BalancingStrategy s, List<Candidate> cs) {
    return s.pick(cs, "k").orElseThrow().id();
  }

  @Test
  void cyclesInGivenOrderIgnoringWeightAndLoad() {
    RoundRobinStrategy s = new RoundRobinStrategy();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      seen.add(pickId(s, ABC));
    }
    assertThat(seen).containsExactly("a", "b", "c", "a", "b", "c", "a");
    assertThat(s.name()).isEqualTo("round-robin");
  }

  @Test
  void emptyGivesEmptyAndSingleAlwaysThatOne() {
    RoundRobinStrategy s = new RoundRobinStrategy();
    assertThat(s.pick(List.of(), "k")).isEmpty();
    List<Candidate> one = List.of(new Candidate("x", 1, 0));
    for (int i = 0; i < 5; i++) {
      assertThat(pickId(s, one)).isEqualTo("x");
    }
  }

  @Test
  void doesNotModifyTheList() {
    List<Candidate> list = new ArrayList<>(ABC);
    RoundRobinStrategy s = new RoundRobinStrategy();
    for (int i = 0; i < 10; i++) {
      s.pick(list, null);
    }
    assertThat(list).isEqualTo(ABC);
  }

  @Test
  void concurrentPicksStayExactlyEven() throws Exception {
    RoundRobinStrategy s = new RoundRobinStrategy();
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    int threads = 4;
    int perThread = 3000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  counts
                      .computeIfAbsent(pickId(s, ABC), k -> new AtomicInteger())
                      .incrementAndGet();
                }
              });
      th.start();
      ts.add(th);
    }
    start.countDown();
    for (Thread th : ts) {
      th.join();
    }
    assertThat(counts).containsOnlyKeys("a", "b", "c");
    counts.values().forEach(c -> assertThat(c.get()).isEqualTo(threads * perThread / 3));
  }
}
