package io.wsgrid.edge;

import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.cluster.RegistryView;
import io.wsgrid.edge.balance.BalancingStrategy;
import io.wsgrid.edge.balance.Candidate;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the node for a new socket: the strategy picks among the registry's UP nodes, with each
 * node's load taken as its registered connections plus the sockets this edge routed to it that the
 * registry does not show yet, so a burst of connects spreads out instead of piling onto the node
 * that looked least loaded a moment ago.
 *
 * <p>A tunnelled socket's node says in its 101 which of its admissions the socket was ({@link
 * NodeEntry#ADMISSION_HEADER}); the socket stops being pending once the node's entry shows that
 * many admissions ({@link NodeEntry#admissions}), the count and the number being read together on
 * the node. Exact both ways: an entry written just before the socket does not drop it (the node
 * would look lighter than it is) and an entry that already counts it does not keep it (the node
 * would look heavier: six serial connects over two nodes went 2/4). A tunnelled socket whose
 * handshake is in flight stays pending. A socket placed by {@code GET /assign}, which the edge does
 * not see open, is taken to be the node's next admission after those already expected (a client
 * that connected and left at once is then not counted for seconds), or counted once an entry
 * arrives {@link #SEEN_MARGIN_MS} after the pick (also the rule for a node that sends no number).
 * Every socket stops after {@link #PENDING_MAX_MS}.
 *
 * <p>Sockets routed by the other edges of the cluster are pending here too ({@link PeerRoutes}
 * tells them each route of this edge and adds theirs with {@link #peerRouted}), under the same
 * rules: several edges balance as one instead of each filling the same gap for a registry tick.
 */
public final class NodePicker {
  static final long SEEN_MARGIN_MS = 50;
  static final long PENDING_MAX_MS = 2_000;

  /** {@link Routed#admission} of a tunnelled socket whose node has not answered yet. */
  static final long IN_FLIGHT = -1;

  /** {@link Routed#admission} of a socket whose number the edge will not learn. */
  public static final long UNNUMBERED = -2;

  /** A socket routed to a node and not yet in its registry entry. */
  public static final class Routed {
    final long routedAt = System.currentTimeMillis();

    /** The socket's admission number on its node, or {@link #IN_FLIGHT} or {@link #UNNUMBERED}. */
    volatile long admission;

    /** For a {@code GET /assign} pick: the node's admissions that will include it (0: unknown). */
    final long expected;

    /** Names this route to the other edges (unique on this edge). */
    final long id;

    Routed(long admission, long expected, long id) {
      this.admission = admission;
      this.expected = expected;
      this.id = id;
    }
  }

  /**
   * Hears about every route of this edge (not those of other edges), on the thread that made it.
   */
  interface RouteListener {
    RouteListener NONE =
        new RouteListener() {
          @Override
          public void routed(String node, Routed routed) {}

          @Override
          public void admitted(String node, Routed routed) {}

          @Override
          public void unrouted(String node, Routed routed) {}
        };

    /** A socket was sent to the node (a tunnel opening, or a {@code GET /assign} answer). */
    void routed(String node, Routed routed);

    /** The node answered the tunnelled socket's upgrade with its admission number (or none). */
    void admitted(String node, Routed routed);

    /** The socket never reached the node. */
    void unrouted(String node, Routed routed);
  }

  private final RegistryView view;
  private final BalancingStrategy strategy;
  private final Map<String, Deque<Routed>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile RouteListener listener = RouteListener.NONE;

  public NodePicker(RegistryView view, BalancingStrategy strategy) {
    this.view = view;
    this.strategy = strategy;
    view.onChange(this::registryChanged);
  }

  public BalancingStrategy strategy() {
    return strategy;
  }

  void listener(RouteListener listener) {
    this.listener = listener;
  }

  /**
   * The node for a new socket with this routing key, skipping {@code exclude}; empty when no node
   * is UP.
   */
  public Optional<NodeEntry> pick(String key, Set<String> exclude) {
    long now = System.currentTimeMillis();
    List<Candidate> candidates = new ArrayList<>();
    Map<String, NodeEntry> byId = new HashMap<>();
    for (NodeEntry entry : view.snapshot()) {
      if (!entry.isUp() || exclude.contains(entry.id())) continue;
      candidates.add(
          new Candidate(
              entry.id(), entry.weight(), entry.connections() + pending(entry.id(), now)));
      byId.put(entry.id(), entry);
    }
    return strategy.pick(candidates, key).map(c -> byId.get(c.id()));
  }

  /**
   * A socket was sent to the node ({@code GET /assign}): pending load until the registry shows it.
   */
  public Routed routed(String id) {
    Routed routed;
    synchronized (this) {
      routed = add(id, new Routed(UNNUMBERED, expectedAdmission(id), ids.incrementAndGet()));
    }
    listener.routed(id, routed);
    return routed;
  }

  /**
   * The admission an assigned socket should be: after the entry's and after every other one
   * expected (0: the node gives no numbers).
   */
  private long expectedAdmission(String id) {
    NodeEntry entry = view.get(id);
    if (entry == null || entry.admissions() < 0) return 0; // no numbers: the time margin
    long expected = entry.admissions() + 1;
    Deque<Routed> all = pending.get(id);
    if (all != null) {
      for (Routed r : all) if (r.expected > 0) expected = Math.max(expected, r.expected + 1);
    }
    return expected;
  }

  /**
   * A socket is being tunnelled to the node: pending load until its 101 and then the registry say
   * it is counted.
   */
  public Routed tunnelled(String id) {
    Routed routed = add(id, new Routed(IN_FLIGHT, 0, ids.incrementAndGet()));
    listener.routed(id, routed);
    return routed;
  }

  /**
   * Another edge routed a socket to the node ({@link PeerRoutes}): pending here too, by the same
   * rules; {@code admission} is {@link #IN_FLIGHT} or {@link #UNNUMBERED} (with {@code expected}).
   */
  Routed peerRouted(String id, long admission, long expected) {
    return add(id, new Routed(admission, expected, 0));
  }

  private Routed add(String id, Routed routed) {
    pending.computeIfAbsent(id, k -> new ConcurrentLinkedDeque<>()).addLast(routed);
    return routed;
  }

  /**
   * The node answered 101: the socket was its admission number {@code admission} ({@link
   * NodeEntry#ADMISSION_HEADER}, or {@link #UNNUMBERED} when it did not say); an entry with that
   * many admissions counts it.
   */
  public void admitted(String id, Routed routed, long admission) {
    peerAdmitted(id, routed, admission);
    listener.admitted(id, routed);
  }

  /** {@link #admitted}, for a socket another edge routed. */
  void peerAdmitted(String id, Routed routed, long admission) {
    routed.admission = admission;
    NodeEntry entry = view.get(id);
    if (admission >= 0 && entry != null && entry.admissions() >= admission) {
      Deque<Routed> all = pending.get(id);
      if (all != null) all.remove(routed);
    }
  }

  /** The socket sent to the node never reached it (connect failed, refused). */
  public void unrouted(String id, Routed routed) {
    peerUnrouted(id, routed);
    listener.unrouted(id, routed);
  }

  /** {@link #unrouted}, for a socket another edge routed. */
  void peerUnrouted(String id, Routed routed) {
    Deque<Routed> all = pending.get(id);
    if (all != null) all.remove(routed);
  }

  /**
   * A socket this edge tunnelled to the node is open: the strategy hears of it ({@link
   * BalancingStrategy#opened}).
   */
  void opened(String id) {
    strategy.opened(id);
  }

  /** That socket closed ({@link BalancingStrategy#closed}). */
  void closed(String id) {
    strategy.closed(id);
  }

  /** Sockets routed to the node that its registry entry does not show yet. */
  public long pending(String id) {
    return pending(id, System.currentTimeMillis());
  }

  private long pending(String id, long now) {
    Deque<Routed> all = pending.get(id);
    if (all == null) return 0;
    dropRoutedBefore(all, now - PENDING_MAX_MS);
    return all.size();
  }

  private void registryChanged(String id) {
    if (id == null) return;
    Deque<Routed> all = pending.get(id);
    NodeEntry entry = view.get(id);
    if (entry == null) {
      pending.remove(id);
    } else if (all != null) {
      long arrived = System.currentTimeMillis();
      // Numbered: in the entry once it shows that many admissions. In flight: stays. Unnumbered:
      // the admission it should be, or the time margin.
      all.removeIf(
          r ->
              r.admission >= 0
                  ? entry.admissions() >= r.admission
                  : r.admission == UNNUMBERED
                      && ((r.expected > 0 && entry.admissions() >= r.expected)
                          || r.routedAt < arrived - SEEN_MARGIN_MS));
    }
  }

  private static void dropRoutedBefore(Deque<Routed> all, long limit) {
    Routed head;
    while ((head = all.peekFirst()) != null && head.routedAt < limit) all.pollFirst();
  }
}
