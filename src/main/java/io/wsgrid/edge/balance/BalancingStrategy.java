package io.wsgrid.edge.balance;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the node that takes the next new socket.
 *
 * <p>Contract: {@code candidates} holds only nodes that are UP, sorted by id (a stable order), and
 * is never modified by the strategy. {@code key} is the routing key (the {@code ?key=} query
 * parameter, else the client address); strategies that do not hash ignore it. Implementations are
 * pure: no I/O, no blocking, no Vert.x. {@code pick} may be called from several event loops at
 * once, so state (a rotation counter, a ring, a weighted schedule) is either atomic or rebuilt from
 * the membership (ids and weights) when it changes, never held under a long lock. An empty list
 * gives {@link Optional#empty()}.
 */
public interface BalancingStrategy {

  Optional<Candidate> pick(List<Candidate> candidates, String key);

  /** The name users give with {@code --strategy}. */
  String name();

  /**
   * A socket this edge tunnelled to {@code node} is open: the node answered its upgrade with 101.
   * Only the sockets this edge carries are reported (not {@code GET /assign} placements, nor other
   * edges' sockets: {@link Candidate#load} counts those), so a strategy can keep counts of its own.
   * Each {@code opened} is followed by exactly one {@link #closed} for the same node. Called on the
   * tunnel's event loop, from several event loops at once; must not block. Default: nothing.
   */
  default void opened(String node) {}

  /**
   * The socket of an earlier {@link #opened} on {@code node} closed (either side). Same threading.
   */
  default void closed(String node) {}

  /** Every strategy name accepted by {@link #create}, in the order help lists them. */
  List<String> NAMES = Strategies.NAMES;

  /**
   * Builds a strategy by name; {@code hashBalanceFactor} is the bounded-load factor c of
   * consistent-hash (must be &gt; 1.0; ignored by the others).
   *
   * @throws IllegalArgumentException for an unknown name or a bad factor, with a message a user can
   *     act on
   */
  static BalancingStrategy create(String name, double hashBalanceFactor) {
    return Strategies.create(name, hashBalanceFactor);
  }

  /**
   * The strategy names as picocli's {@code completionCandidates} (made with the no-argument
   * constructor): shell completion, and {@code ${COMPLETION-CANDIDATES}} in help.
   */
  final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return NAMES.iterator();
    }
  }
}
