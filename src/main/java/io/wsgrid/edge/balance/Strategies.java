package io.wsgrid.edge.balance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The strategies by name: the one table behind {@code --strategy} ({@link
 * BalancingStrategy#create}, {@link BalancingStrategy#NAMES} and so picocli's {@link
 * BalancingStrategy.Names}), and small helpers shared by the strategies. Adding a strategy is one
 * class and one line here.
 *
 * <p>Names are matched after trimming and lower-casing. The factor is validated only for {@code
 * consistent-hash} (it must be a finite number &gt; 1.0); the other strategies ignore it.
 */
final class Strategies {

  /** Builds a new instance of one strategy; {@code hashBalanceFactor} is for those that hash. */
  @FunctionalInterface
  interface Factory {
    BalancingStrategy create(double hashBalanceFactor);
  }

  /** Name to factory, in the order help and errors list them. */
  private static final Map<String, Factory> TABLE = new LinkedHashMap<>();

  static {
    TABLE.put(RoundRobinStrategy.NAME, factor -> new RoundRobinStrategy());
    TABLE.put(RandomStrategy.NAME, factor -> new RandomStrategy());
    TABLE.put(
        SmoothWeightedRoundRobinStrategy.NAME, factor -> new SmoothWeightedRoundRobinStrategy());
    TABLE.put(LeastConnectionsStrategy.NAME, factor -> new LeastConnectionsStrategy());
    TABLE.put(PowerOfTwoChoicesStrategy.NAME, factor -> new PowerOfTwoChoicesStrategy());
    TABLE.put(ConsistentHashStrategy.NAME, ConsistentHashStrategy::new);
  }

  /** Every name {@link #create} accepts, in table order. */
  static final List<String> NAMES = List.copyOf(TABLE.keySet());

  private Strategies() {}

  /**
   * A new strategy by name.
   *
   * @throws IllegalArgumentException for an unknown name (listing the known ones) or a bad factor
   */
  static BalancingStrategy create(String name, double factor) {
    Factory factory = TABLE.get(name == null ? "" : name.trim().toLowerCase(Locale.ROOT));
    if (factory == null) {
      throw new IllegalArgumentException(
          "unknown strategy '" + name + "'; choose one of: " + String.join(", ", NAMES));
    }
    return factory.create(factor);
  }

  /**
   * Compares the load ratios {@code a.load/a.weight} and {@code b.load/b.weight} exactly, by
   * cross-multiplication ({@code a.load * b.weight} vs {@code b.load * a.weight}) in 128-bit
   * arithmetic, so no load value can overflow. Negative when {@code a} is less loaded.
   */
  static int compareLoad(Candidate a, Candidate b) {
    long x = a.load();
    long y = b.load();
    long wa = a.weight();
    long wb = b.weight();
    // all operands are >= 0, so the high words are >= 0 and the low words compare unsigned
    int hi = Long.compare(Math.multiplyHigh(x, wb), Math.multiplyHigh(y, wa));
    return hi != 0 ? hi : Long.compareUnsigned(x * wb, y * wa);
  }

  /** Whether {@code candidates} has exactly the ids and weights in {@code ids}/{@code weights}. */
  static boolean sameMembership(List<Candidate> candidates, String[] ids, int[] weights) {
    int n = candidates.size();
    if (n != ids.length) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      Candidate c = candidates.get(i);
      if (c.weight() != weights[i] || !c.id().equals(ids[i])) {
        return false;
      }
    }
    return true;
  }
}
