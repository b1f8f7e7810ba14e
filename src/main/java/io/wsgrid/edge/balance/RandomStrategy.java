package io.wsgrid.edge.balance;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Uniform random: each candidate has probability 1/n, ignoring weight, load and key. O(1) per pick.
 * By default it uses {@link ThreadLocalRandom} (no contention); a seeded instance (for tests)
 * shares one thread-safe {@link Random}, so its sequence is reproducible when picks are made from a
 * single thread.
 */
public final class RandomStrategy implements BalancingStrategy {

  static final String NAME = "random";

  private final Random seeded;

  /** Uses {@link ThreadLocalRandom}. */
  public RandomStrategy() {
    this.seeded = null;
  }

  /** Uses a {@link Random} with this seed, for reproducible tests. */
  public RandomStrategy(long seed) {
    this.seeded = new Random(seed);
  }

  @Override
  public Optional<Candidate> pick(List<Candidate> candidates, String key) {
    int n = candidates.size();
    if (n == 0) {
      return Optional.empty();
    }
    Random rnd = seeded != null ? seeded : ThreadLocalRandom.current();
    return Optional.of(candidates.get(rnd.nextInt(n)));
  }

  @Override
  public String name() {
    return NAME;
  }
}
