package io.wsgrid.edge.balance;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: samples two distinct candidates uniformly at random and takes the one with
 * the smaller {@code load / weight} (exact comparison, see {@link Strategies#compareLoad}; the
 * first sample wins ties). With one candidate that one is taken. This keeps the maximum load far
 * closer to the mean than pure random choice, at O(1) per pick. The key is ignored. Lock-free with
 * {@link ThreadLocalRandom} by default; seedable for tests.
 */
public final class PowerOfTwoChoicesStrategy implements BalancingStrategy {

  static final String NAME = "power-of-two";

  private final Random seeded;

  /** Uses {@link ThreadLocalRandom}. */
  public PowerOfTwoChoicesStrategy() {
    this.seeded = null;
  }

  /** Uses a {@link Random} with this seed, for reproducible tests. */
  public PowerOfTwoChoicesStrategy(long seed) {
    this.seeded = new Random(seed);
  }

  @Override
  public Optional<Candidate> pick(List<Candidate> candidates, String key) {
    int n = candidates.size();
    if (n == 0) {
      return Optional.empty();
    }
    if (n == 1) {
      return Optional.of(candidates.get(0));
    }
    Random rnd = seeded != null ? seeded : ThreadLocalRandom.current();
    int i = rnd.nextInt(n);
    int j = rnd.nextInt(n - 1);
    if (j >= i) {
      j++;
    }
    Candidate a = candidates.get(i);
    Candidate b = candidates.get(j);
    return Optional.of(Strategies.compareLoad(b, a) < 0 ? b : a);
  }

  @Override
  public String name() {
    return NAME;
  }
}
