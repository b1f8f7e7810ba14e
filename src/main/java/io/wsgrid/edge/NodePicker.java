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

/**
 * Chooses the node for a new socket: the strategy picks among the registry's UP nodes, with each
 * node's load taken as its registered connections plus the sockets this edge routed to it that
 * the registry does not show yet. A routed socket stops counting as pending once the node writes
 * an entry {@link #SEEN_MARGIN_MS} after it was routed (the node's count then includes it), or
 * after {@link #PENDING_MAX_MS} whatever happens; so a burst of connects spreads out instead of
 * piling onto the node that looked least loaded a moment ago.
 */
public final class NodePicker {
  static final long SEEN_MARGIN_MS = 50;
  static final long PENDING_MAX_MS = 2_000;

  private final RegistryView view;
  private final BalancingStrategy strategy;
  private final Map<String, Deque<Long>> pending = new ConcurrentHashMap<>();

  public NodePicker(RegistryView view, BalancingStrategy strategy) {
    this.view = view;
    this.strategy = strategy;
    view.onChange(this::registryChanged);
  }

  public BalancingStrategy strategy() {
    return strategy;
  }

  /** The node for a new socket with this routing key, skipping {@code exclude}; empty when no node is UP. */
  public Optional<NodeEntry> pick(String key, Set<String> exclude) {
    long now = System.currentTimeMillis();
    List<Candidate> candidates = new ArrayList<>();
    Map<String, NodeEntry> byId = new HashMap<>();
    for (NodeEntry entry : view.snapshot()) {
      if (!entry.isUp() || exclude.contains(entry.id())) continue;
      candidates.add(new Candidate(entry.id(), entry.weight(), entry.connections() + pending(entry.id(), now)));
      byId.put(entry.id(), entry);
    }
    return strategy.pick(candidates, key).map(c -> byId.get(c.id()));
  }

  /** A socket was sent to the node: it counts as pending load until the registry shows it. */
  public void routed(String id) {
    pending.computeIfAbsent(id, k -> new ConcurrentLinkedDeque<>()).addLast(System.currentTimeMillis());
  }

  /** The socket sent to the node never reached it (connect failed). */
  public void unrouted(String id) {
    Deque<Long> times = pending.get(id);
    if (times != null) times.pollLast();
  }

  /** Sockets routed to the node that its registry entry does not show yet. */
  public long pending(String id) {
    return pending(id, System.currentTimeMillis());
  }

  private long pending(String id, long now) {
    Deque<Long> times = pending.get(id);
    if (times == null) return 0;
    dropOlderThan(times, now - PENDING_MAX_MS);
    return times.size();
  }

  private void registryChanged(String id) {
    if (id == null) return;
    Deque<Long> times = pending.get(id);
    if (view.get(id) == null) {
      pending.remove(id);
    } else if (times != null) {
      dropOlderThan(times, System.currentTimeMillis() - SEEN_MARGIN_MS);
    }
  }

  private static void dropOlderThan(Deque<Long> times, long limit) {
    Long head;
    while ((head = times.peekFirst()) != null && head < limit) times.pollFirst();
  }
}
