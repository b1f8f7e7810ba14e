package io.wsgrid.edge.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, <a
 * href="https://arxiv.org/abs/1608.01350">arXiv:1608.01350</a>).
 *
 * <p><b>Ring.</b> Each candidate owns {@value #VNODES_PER_WEIGHT} virtual nodes per weight unit, at
 * {@code hash(id + "#" + i)}; when the total would exceed about {@value #MAX_RING_POINTS} points,
 * every node's count is scaled down in proportion (each keeps at least one). A point depends only
 * on its node's id, so removing a node only moves the keys that were on it. The ring is immutable
 * and cached in an {@link AtomicReference} together with the membership (ids and weights, in list
 * order) it was built from; it is rebuilt only when that membership changes (O(V log V) for V
 * points), while load changes reuse it.
 *
 * <p><b>Pick.</b> The key (a {@code null} key is treated as {@code ""}) is hashed to 64 bits
 * (FNV-1a over its UTF-8 bytes, then the murmur3 fmix64 finalizer). With {@code L} the sum of the
 * candidates' loads, {@code W} the sum of their weights and {@code c} the balance factor, a node of
 * weight {@code w} has capacity {@code ceil(c * (L + 1) * w / W)}. The ring is walked clockwise
 * from the key's hash and the first node whose load is below its capacity is taken. Since the
 * capacities add up to more than {@code L}, some node always qualifies. The same key with unchanged
 * loads and membership always gives the same node, and no node ends above {@code ceil(c * mean)}
 * (weighted) from this strategy's own routing. O(log V) to find the start, then a short walk,
 * typically O(n) points at worst.
 */
public final class ConsistentHashStrategy implements BalancingStrategy {

  static final String NAME = "consistent-hash";
  static final int VNODES_PER_WEIGHT = 100;
  static final int MAX_RING_POINTS = 100_000;

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final double factor;
  private final AtomicReference<Ring> ring = new AtomicReference<>(Ring.EMPTY);
  private final AtomicLong ringBuilds = new AtomicLong();

  /**
   * @param factor the balance factor c; each node may take at most about c times its fair share
   * @throws IllegalArgumentException unless {@code factor} is a finite number &gt; 1.0
   */
  public ConsistentHashStrategy(double factor) {
    if (!(factor > 1.0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException(
          "consistent-hash balance factor must be a finite number > 1.0, got " + factor);
    }
    this.factor = factor;
  }

  @Override
  public Optional<Candidate> pick(List<Candidate> candidates, String key) {
    int n = candidates.size();
    if (n == 0) {
      return Optional.empty();
    }
    Ring r = ring.get();
    if (!Strategies.sameMembership(candidates, r.ids, r.weights)) {
      r = Ring.build(candidates);
      ring.set(r);
      ringBuilds.incrementAndGet();
    }
    long totalLoad = 0;
    for (int i = 0; i < n; i++) {
      long l = candidates.get(i).load();
      totalLoad = totalLoad > Long.MAX_VALUE - l ? Long.MAX_VALUE : totalLoad + l;
    }
    double budget = factor * ((double) totalLoad + 1.0) / r.totalWeight;

    long[] points = r.points;
    int size = points.length;
    int pos = Arrays.binarySearch(points, hash(key == null ? "" : key));
    if (pos < 0) {
      pos = -pos - 1;
    }
    for (int step = 0; step < size; step++) {
      int p = pos + step;
      if (p >= size) {
        p -= size;
      }
      Candidate c = candidates.get(r.owners[p]);
      if (c.load() < Math.ceil(budget * c.weight())) {
        return Optional.of(c);
      }
    }
    // unreachable in exact arithmetic (capacities sum to more than the total load); stay safe
    Candidate best = candidates.get(0);
    for (Candidate c : candidates) {
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

  /** The balance factor c. */
  public double factor() {
    return factor;
  }

  /** How many times the ring was (re)built; for tests. */
  long ringBuilds() {
    return ringBuilds.get();
  }

  /** 64-bit hash of a string: FNV-1a over its UTF-8 bytes, then fmix64. */
  static long hash(String s) {
    long h = FNV_OFFSET;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return fmix64(h);
  }

  /** The murmur3 64-bit finalizer: spreads every input bit over the whole word. */
  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /** An immutable ring: sorted point hashes and, per point, the owner's index in the list. */
  private static final class Ring {
    static final Ring EMPTY = new Ring(new String[0], new int[0], 0, new long[0], new int[0]);

    final String[] ids;
    final int[] weights;
    final long totalWeight;
    final long[] points;
    final int[] owners;

    private Ring(String[] ids, int[] weights, long totalWeight, long[] points, int[] owners) {
      this.ids = ids;
      this.weights = weights;
      this.totalWeight = totalWeight;
      this.points = points;
      this.owners = owners;
    }

    static Ring build(List<Candidate> candidates) {
      int n = candidates.size();
      String[] ids = new String[n];
      int[] weights = new int[n];
      long totalWeight = 0;
      for (int i = 0; i < n; i++) {
        Candidate c = candidates.get(i);
        ids[i] = c.id();
        weights[i] = c.weight();
        totalWeight += c.weight();
      }
      double perWeight = Math.min(VNODES_PER_WEIGHT, (double) MAX_RING_POINTS / totalWeight);
      int[] counts = new int[n];
      int size = 0;
      for (int i = 0; i < n; i++) {
        counts[i] = (int) Math.max(1, Math.round(weights[i] * perWeight));
        size += counts[i];
      }
      long[][] pairs = new long[size][];
      int k = 0;
      for (int i = 0; i < n; i++) {
        for (int v = 0; v < counts[i]; v++) {
          pairs[k++] = new long[] {hash(ids[i] + "#" + v), i};
        }
      }
      // by hash; the (astronomically rare) equal hashes are ordered by id, so the ring is
      // the same whatever the list order
      Arrays.sort(
          pairs, Comparator.<long[]>comparingLong(p -> p[0]).thenComparing(p -> ids[(int) p[1]]));
      long[] points = new long[size];
      int[] owners = new int[size];
      for (int j = 0; j < size; j++) {
        points[j] = pairs[j][0];
        owners[j] = (int) pairs[j][1];
      }
      return new Ring(ids, weights, totalWeight, points, owners);
    }
  }
}
