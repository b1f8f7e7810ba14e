package io.wsgrid.edge.balance;

/**
 * One node a strategy may pick: its id, its weight (share of capacity, at least 1) and its current
 * load (connections in the registry plus sockets the edge routed that the registry does not show
 * yet).
 */
public record Candidate(String id, int weight, long load) {
  public Candidate {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("candidate id is empty");
    if (weight < 1) throw new IllegalArgumentException("weight must be >= 1, got " + weight);
    if (load < 0) throw new IllegalArgumentException("load must be >= 0, got " + load);
  }
}
