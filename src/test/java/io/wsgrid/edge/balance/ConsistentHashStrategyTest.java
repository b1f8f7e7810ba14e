package io.wsgrid.edge.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsistentHashStrategyTest {

  private static List<Candidate> nodes(int n) {
    List<Candidate> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(new Candidate("node-" + i, 1, 0));
    }
    return List.copyOf(cs);
  }

  private static String pickId(BalancingStrategy s, List<Candidate> cs, String key) {
    return s.pick(cs, key).orElseThrow().id();
  }

  @Test
  void sameKeySameNodeAcrossCallsAndInstances() {
    List<Candidate> cs = nodes(5);
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.25);
    ConsistentHashStrategy other = new ConsistentHashStrategy(2.0);
    assertThat(s.name()).isEqualTo("consistent-hash");
    for (int k = 0; k < 200; k++) {
      String key = "user-" + k;
      String first = pickId(s, cs, key);
      for (int i = 0; i < 5; i++) {
        assertThat(pickId(s, cs, key)).isEqualTo(first);
      }
      assertThat(pickId(other, cs, key)).isEqualTo(first);
    }
  }

  @Test
  void nullKeyIsTheEmptyKey() {
    List<Candidate> cs = nodes(7);
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.25);
    assertThat(pickId(s, cs, null)).isEqualTo(pickId(s, cs, ""));
  }

  @Test
  void keysSpreadInProportionToWeight() {
    List<Candidate> cs =
        List.of(new Candidate("a", 1, 0), new Candidate("b", 1, 0), new Candidate("c", 2, 0));
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.25);
    Map<String, Integer> counts = new HashMap<>();
    for (int k = 0; k < 20_000; k++) {
      counts.merge(pickId(s, cs, "key-" + k), 1, Integer::sum);
    }
    // expected 5000 / 5000 / 10000; 100 virtual nodes per weight unit keep it within ~15%
    assertThat(counts.get("a")).isBetween(4_250, 5_750);
    assertThat(counts.get("b")).isBetween(4_250, 5_750);
    assertThat(counts.get("c")).isBetween(8_500, 11_500);
  }

  @Test
  void boundedLoadWithOneHotKey() {
    int n = 4;
    double c = 1.25;
    long[] loads = new long[n];
    ConsistentHashStrategy s = new ConsistentHashStrategy(c);
    int connects = 1000;
    for (int k = 0; k < connects; k++) {
      List<Candidate> cs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        cs.add(new Candidate("node-" + i, 1, loads[i]));
      }
      String id = pickId(s, cs, "the-same-room");
      loads[Integer.parseInt(id.substring("node-".length()))]++;
    }
    long max = 0;
    long sum = 0;
    for (long l : loads) {
      max = Math.max(max, l);
      sum += l;
    }
    assertThat(sum).isEqualTo(connects);
    assertThat(max).isLessThanOrEqualTo((long) Math.ceil(c * connects / n) + 1);
    // without the bound every connect would have gone to one node
    for (long l : loads) {
      assertThat(l).isGreaterThan(0);
    }
  }

  @Test
  void fullNodeIsSkippedForTheNextOneClockwise() {
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.25);
    List<Candidate> idle = List.of(new Candidate("x", 1, 0), new Candidate("y", 1, 0));
    String home = pickId(s, idle, "room-42");
    String other = home.equals("x") ? "y" : "x";
    // total 100: capacity ceil(1.25 * 101 / 2) = 64, so the home node at 100 is full
    List<Candidate> hot =
        List.of(new Candidate(home, 1, 100), new Candidate(other, 1, 0)).stream()
            .sorted((p, q) -> p.id().compareTo(q.id()))
            .toList();
    assertThat(pickId(s, hot, "room-42")).isEqualTo(other);
    List<Candidate> under =
        List.of(new Candidate(home, 1, 30), new Candidate(other, 1, 30)).stream()
            .sorted((p, q) -> p.id().compareTo(q.id()))
            .toList();
    // total 60: capacity ceil(1.25 * 61 / 2) = 39 > 30, so the key stays home
    assertThat(pickId(s, under, "room-42")).isEqualTo(home);
  }

  @Test
  void weightRaisesCapacity() {
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.5);
    // total 40, weights 3 and 1: capacities ceil(1.5 * 41 * 3 / 4) = 47 and ceil(1.5 * 41 / 4) = 16
    List<Candidate> cs = List.of(new Candidate("big", 3, 35), new Candidate("small", 1, 5));
    Map<String, Integer> counts = new HashMap<>();
    for (int k = 0; k < 2000; k++) {
      counts.merge(pickId(s, cs, "k" + k), 1, Integer::sum);
    }
    // both under capacity: plain ring, about 3:1
    assertThat(counts.get("big")).isBetween(1_250, 1_750);
    List<Candidate> smallFull = List.of(new Candidate("big", 3, 24), new Candidate("small", 1, 16));
    // small: 16 >= ceil(1.5 * 41 / 4) = 16, so every key goes to big
    for (int k = 0; k < 200; k++) {
      assertThat(pickId(s, smallFull, "k" + k)).isEqualTo("big");
    }
  }

  @Test
  void removingANodeOnlyRemapsItsKeys() {
    List<Candidate> all = nodes(5);
    List<Candidate> without = all.stream().filter(c -> !c.id().equals("node-2")).toList();
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.25);
    int keys = 10_000;
    int onRemaining = 0;
    int kept = 0;
    Map<String, Integer> movedTo = new HashMap<>();
    String[] before = new String[keys];
    for (int k = 0; k < keys; k++) {
      before[k] = pickId(s, all, "client-" + k);
    }
    for (int k = 0; k < keys; k++) {
      String after = pickId(s, without, "client-" + k);
      assertThat(after).isNotEqualTo("node-2");
      if (before[k].equals("node-2")) {
        movedTo.merge(after, 1, Integer::sum);
      } else {
        onRemaining++;
        if (after.equals(before[k])) {
          kept++;
        }
      }
    }
    assertThat(onRemaining).isBetween(7_000, 9_000);
    assertThat((double) kept / onRemaining).isGreaterThanOrEqualTo(0.9);
    // with idle nodes nothing else moves at all
    assertThat(kept).isEqualTo(onRemaining);
    // the orphaned keys spread over the remaining nodes instead of all landing on one
    assertThat(movedTo).hasSize(4);
    int orphaned = keys - onRemaining;
    // (each receives the arcs that its virtual nodes follow, so shares vary; none takes most)
    movedTo.values().forEach(v -> assertThat(v).isPositive().isLessThan(orphaned / 2));
  }

  @Test
  void ringIsRebuiltOnlyWhenMembershipChanges() {
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.25);
    List<Candidate> cs = nodes(3);
    s.pick(cs, "a");
    assertThat(s.ringBuilds()).isEqualTo(1);
    List<Candidate> loaded =
        List.of(
            new Candidate("node-0", 1, 5),
            new Candidate("node-1", 1, 2),
            new Candidate("node-2", 1, 9));
    for (int i = 0; i < 50; i++) {
      s.pick(i % 2 == 0 ? cs : loaded, "k" + i);
    }
    assertThat(s.ringBuilds()).isEqualTo(1);
    List<Candidate> reweighted =
        List.of(
            new Candidate("node-0", 2, 0),
            new Candidate("node-1", 1, 0),
            new Candidate("node-2", 1, 0));
    s.pick(reweighted, "a");
    assertThat(s.ringBuilds()).isEqualTo(2);
    s.pick(nodes(2), "a");
    assertThat(s.ringBuilds()).isEqualTo(3);
  }

  @Test
  void largeMembershipCapsTheRing() {
    List<Candidate> cs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      cs.add(new Candidate("n" + i, 1000, 0));
    }
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.25);
    long t0 = System.nanoTime();
    String id = pickId(s, cs, "key");
    assertThat(id).startsWith("n");
    assertThat(pickId(s, cs, "key")).isEqualTo(id);
    assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
  }

  @Test
  void emptyListAndUnmodifiedList() {
    ConsistentHashStrategy s = new ConsistentHashStrategy(1.25);
    assertThat(s.pick(List.of(), "k")).isEmpty();
    List<Candidate> orig = nodes(3);
    List<Candidate> list = new ArrayList<>(orig);
    for (int i = 0; i < 10; i++) {
      s.pick(list, "k" + i);
    }
    assertThat(list).isEqualTo(orig);
  }

  @Test
  void factorMustExceedOne() {
    for (double bad : new double[] {1.0, 0.5, 0.0, -2.0, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> new ConsistentHashStrategy(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must be a finite number > 1.0");
    }
    assertThat(new ConsistentHashStrategy(1.0001).factor()).isEqualTo(1.0001);
  }

  @Test
  void hashIsStableAndSpreadsBits() {
    // pinned values: the ring layout (and so which node a key lands on) must not drift
    assertThat(ConsistentHashStrategy.hash(""))
        .isEqualTo(ConsistentHashStrategy.fmix64(0xcbf29ce484222325L));
    assertThat(ConsistentHashStrategy.hash("a")).isNotEqualTo(ConsistentHashStrategy.hash("b"));
    assertThat(ConsistentHashStrategy.fmix64(0L)).isZero();
    int ones =
        Long.bitCount(ConsistentHashStrategy.hash("key-1") ^ ConsistentHashStrategy.hash("key-2"));
    assertThat(ones).isBetween(16, 48);
  }
}
