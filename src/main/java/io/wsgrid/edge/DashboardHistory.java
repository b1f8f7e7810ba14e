package io.wsgrid.edge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The last few minutes behind the dashboard's charts: one sample per node and tick (time,
 * connections, deliveries per second). A node that leaves the registry gets one last sample of 0
 * and stays listed as left until its samples age out, so a drain shows as a line falling to 0.
 * Thread-safe: the dashboard's timer adds, a page that opens reads.
 */
final class DashboardHistory {
  private final long windowMs;
  private final Map<String, ArrayDeque<long[]>> series = new LinkedHashMap<>();
  private final Map<String, Long> leftAt = new LinkedHashMap<>();

  DashboardHistory(long windowMs) {
    this.windowMs = windowMs;
  }

  /**
   * Records one tick: a sample for every node of {@code present} ({@code [connections,
   * deliveries/s]} by id), a last 0 for a node that was there before and is not now; then forgets
   * what is older than the window.
   */
  synchronized void record(long atMs, Map<String, long[]> present) {
    for (Map.Entry<String, long[]> node : present.entrySet()) {
      leftAt.remove(node.getKey());
      series
          .computeIfAbsent(node.getKey(), id -> new ArrayDeque<>())
          .addLast(new long[] {atMs, node.getValue()[0], node.getValue()[1]});
    }
    for (Map.Entry<String, ArrayDeque<long[]>> node : series.entrySet()) {
      if (!present.containsKey(node.getKey()) && !leftAt.containsKey(node.getKey())) {
        leftAt.put(node.getKey(), atMs);
        node.getValue().addLast(new long[] {atMs, 0, 0});
      }
    }
    long oldest = atMs - windowMs;
    series
        .values()
        .forEach(
            samples -> {
              while (!samples.isEmpty() && samples.peekFirst()[0] < oldest) samples.removeFirst();
            });
    series.values().removeIf(ArrayDeque::isEmpty);
    leftAt.keySet().retainAll(series.keySet());
  }

  /**
   * Nodes that left the registry within the window, by id, with the time they were last seen gone.
   */
  synchronized Map<String, Long> left() {
    return new LinkedHashMap<>(leftAt);
  }

  /**
   * Every node's samples as {@code {"n1": [[atMs, connections, deliveriesPerSec], …], …}}, oldest
   * first.
   */
  synchronized JsonObject toJson() {
    JsonObject json = new JsonObject();
    series.forEach(
        (id, samples) -> {
          JsonArray points = new JsonArray();
          samples.forEach(s -> points.add(new JsonArray(List.of(s[0], s[1], s[2]))));
          json.put(id, points);
        });
    return json;
  }

  synchronized Set<String> nodes() {
    return new HashSet<>(series.keySet());
  }

  /** For tests: the connection counts of one node, oldest first. */
  synchronized List<Long> connections(String node) {
    Collection<long[]> samples = series.getOrDefault(node, new ArrayDeque<>());
    return samples.stream().map(s -> s[1]).toList();
  }
}
