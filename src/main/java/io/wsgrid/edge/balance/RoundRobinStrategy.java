package io.wsgrid.edge.balance;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round robin: each pick takes the next candidate in the given (stable) order, ignoring weight,
 * load and key. A single {@link AtomicLong} counter, taken modulo the list size, makes it lock-free
 * and exact under concurrent picks. O(1) per pick.
 */
public final class RoundRobinStrategy implements BalancingStrategy {

  static final String NAME = "round-robin";

  private final AtomicLong counter = new AtomicLong();

  @Override
  public Optional<Candidate> pick(List<Candidate> candidates, String key) {
    int n = candidates.size();
    if (n == 0) {
      return Optional.empty();
    }
    int i = (int) Math.floorMod(counter.getAndIncrement(), (long) n);
    return Optional.of(candidates.get(i));
  }

  @Override
  public String name() {
    return NAME;
  }
}
