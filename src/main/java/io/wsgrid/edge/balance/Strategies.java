package io.wsgrid.edge.balance;

import java.util.List;
import java.util.Locale;

/**
 * Factory behind {@link BalancingStrategy#create} and small helpers shared by the strategies.
 *
 * <p>Names are matched after trimming and lower-casing. The factor is validated only for
 * {@code consistent-hash} (it must be a finite number &gt; 1.0); the other strategies ignore it.
 */
final class Strategies {

  private Strategies() {
  }

  static BalancingStrategy create(String name, double factor) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case RoundRobinStrategy.NAME:
        return new RoundRobinStrategy();
      case RandomStrategy.NAME:
        return new RandomStrategy();
      case SmoothWeightedRoundRobinStrategy.NAME:
        return new SmoothWeightedRoundRobinStrategy();
      case LeastConnectionsStrategy.NAME:
        return new LeastConnectionsStrategy();
      case PowerOfTwoChoicesStrategy.NAME:
        return new PowerOfTwoChoicesStrategy();
      case ConsistentHashStrategy.NAME:
        return new ConsistentHashStrategy(factor);
      default:
        throw new IllegalArgumentException("unknown strategy '" + name + "'; choose one of: "
            + String.join(", ", BalancingStrategy.NAMES));
    }
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
