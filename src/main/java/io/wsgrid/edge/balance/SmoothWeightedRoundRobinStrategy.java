package io.wsgrid.edge.balance;

import java.util.List;
import java.util.Optional;

/**
 * Smooth weighted round robin, as in nginx: on each pick every candidate's current weight grows by
 * its weight, the candidate with the largest current weight (first in order on ties) is chosen, and
 * its current weight drops by the total weight. Over every {@code totalWeight} picks each node is
 * chosen exactly {@code weight} times, spread out (weights a=5, b=1, c=1 give {@code a a b a c a
 * a}). Loads and the key are ignored.
 *
 * <p>The current weights are kept per position together with the membership (ids and weights) they
 * belong to; when the membership changes the state is reset and the schedule restarts. Each pick is
 * O(n) under a short {@code synchronized} section.
 */
public final class SmoothWeightedRoundRobinStrategy implements BalancingStrategy {

  static final String NAME = "weighted";

  private String[] ids = new String[0];
  private int[] weights = new int[0];
  private long[] current = new long[0];
  private long totalWeight;

  @Override
  public Optional<Candidate> pick(List<Candidate> candidates, String key) {
    int n = candidates.size();
    if (n == 0) {
      return Optional.empty();
    }
    int chosen;
    synchronized (this) {
      if (!Strategies.sameMembership(candidates, ids, weights)) {
        rebuild(candidates);
      }
      chosen = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[chosen]) {
          chosen = i;
        }
      }
      current[chosen] -= totalWeight;
    }
    return Optional.of(candidates.get(chosen));
  }

  private void rebuild(List<Candidate> candidates) {
    int n = candidates.size();
    String[] newIds = new String[n];
    int[] newWeights = new int[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      Candidate c = candidates.get(i);
      newIds[i] = c.id();
      newWeights[i] = c.weight();
      total += c.weight();
    }
    ids = newIds;
    weights = newWeights;
    current = new long[n];
    totalWeight = total;
  }

  @Override
  public String name() {
    return NAME;
  }
}
