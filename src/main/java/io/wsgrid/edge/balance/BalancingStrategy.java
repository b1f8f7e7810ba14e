package io.wsgrid.edge.balance;

import java.util.List;
import java.util.Optional;

/**
 * Chooses the node that takes the next new socket.
 *
 * <p>Contract: {@code candidates} holds only nodes that are UP, sorted by id (a stable order),
 * and is never modified by the strategy. {@code key} is the routing key (the {@code ?key=} query
 * parameter, else the client address); strategies that do not hash ignore it. Implementations
 * are pure: no I/O, no blocking, no Vert.x. {@code pick} may be called from several event loops
 * at once, so state (a rotation counter, a ring, a weighted schedule) is either atomic or rebuilt
 * from the membership (ids and weights) when it changes, never held under a long lock.
 * An empty list gives {@link Optional#empty()}.
 */
public interface BalancingStrategy {

  Optional<Candidate> pick(List<Candidate> candidates, String key);

  /** The name users give with {@code --strategy}. */
  String name();

  /** Every strategy name accepted by {@link #create}. */
  List<String> NAMES = List.of(
      "round-robin", "random", "weighted", "least-connections", "power-of-two", "consistent-hash");

  /**
   * Builds a strategy by name; {@code hashBalanceFactor} is the bounded-load factor c of
   * consistent-hash (must be &gt; 1.0; ignored by the others).
   *
   * @throws IllegalArgumentException for an unknown name or a bad factor, with a message a user can act on
   */
  static BalancingStrategy create(String name, double hashBalanceFactor) {
    return Strategies.create(name, hashBalanceFactor);
  }
}
