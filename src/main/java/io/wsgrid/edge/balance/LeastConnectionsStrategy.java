package io.wsgrid.edge.balance;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Least connections, weighted: picks the candidate with the smallest {@code load / weight},
 * compared exactly by cross-multiplication (see {@link Strategies#compareLoad}). The scan starts at
 * a rotating offset (an atomic counter), and only a strictly smaller ratio replaces the best so
 * far, so equally loaded nodes take turns instead of the first one always winning. The key is
 * ignored. O(n) per pick, lock-free.
 */
public final class LeastConnectionsStrategy implements BalancingStrategy {

  static final String NAME = "least-connections";

  private final AtomicLong rotation = new AtomicLong();

  @Override
  public Optional<Candidate> pick(List<Candidate> candidates, String key) {
    int n = candidates.size();
    if (n == 0) {
      return Optional.empty();
    }
    int start = (int) Math.floorMod(rotation.getAndIncrement(), (long) n);
    Candidate best = candidates.get(start);
    for (int k = 1; k < n; k++) {
      int i = start + k;
      Candidate c = candidates.get(i < n ? i : i - n);
      if (Strategies.compareLoad(c, best) < 0) {
        best = c;
      }
    }
    return Optional.of(best);
  }

  @Override
  public String name() {
    return NAME;
  }
}
