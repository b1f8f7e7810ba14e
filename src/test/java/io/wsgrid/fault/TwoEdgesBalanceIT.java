package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.edge.Edge;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two edges in front of the same nodes balance as one: each counts the sockets the other has just
 * routed, not only its own, before the nodes' registry entries show them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoEdgesBalanceIT {
  private static TestNodes cluster;
  private static Edge first;
  private static Edge second;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    cluster = new TestNodes("two-edges");
    for (String name : List.of("a", "b", "c"))
      cluster.start(name, 1, 1, 64 * 1024, 4 * 1024 * 1024);
    first = cluster.startEdge("edge1", "least-connections");
    second = cluster.startEdge("edge2", "least-connections");
    awaitEdgesSee(3);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (clients != null) Await.result(clients.close());
    if (cluster != null) cluster.close();
  }

  private static void awaitEdgesSee(int nodes) {
    for (Edge edge : List.of(first, second)) {
      Await.until(
          edge.settings().name() + " sees " + nodes + " nodes",
          Duration.ofSeconds(30),
          () -> edge.view().snapshot().size() == nodes);
    }
  }

  private static void awaitNoConnections() {
    Await.until(
        "no socket left on any node",
        Duration.ofSeconds(20),
        () -> cluster.nodes().stream().allMatch(n -> n.connections() == 0));
    Await.until(
        "nothing pending at either edge",
        Duration.ofSeconds(10),
        () ->
            List.of(first, second).stream()
                .allMatch(
                    e ->
                        e.view().snapshot().stream()
                            .allMatch(
                                n -> n.connections() == 0 && e.picker().pending(n.id()) == 0)));
  }

  private static List<String> edgeUrls() {
    return List.of(first.settings().url(), second.settings().url());
  }

  private static double maxOverMean(Map<String, Long> perNode, int nodes) {
    long total = perNode.values().stream().mapToLong(Long::longValue).sum();
    return perNode.values().stream().mapToLong(Long::longValue).max().orElseThrow()
        / (total / (double) nodes);
  }

  /**
   * One client after another, alternating between the edges: the nodes stay within one socket of
   * each other at (nearly) every step, as through one edge. Counting only its own routes until the
   * registry showed the other's, each edge sent its next socket to the node the other had just
   * filled: half of the steps left two nodes two or more apart (both edges took the same node).
   */
  @Test
  @Order(1)
  void connectsAlternatingBetweenTwoEdgesSpreadAsThroughOne() {
    awaitNoConnections();
    try (Crowd crowd = new Crowd(clients)) {
      long started = System.nanoTime();
      List<Crowd.Member> opened = crowd.open(edgeUrls(), 300, 1, Duration.ofSeconds(120));
      Map<String, Long> running = new TreeMap<>(Map.of("a", 0L, "b", 0L, "c", 0L));
      int uneven = 0;
      StringBuilder order = new StringBuilder();
      for (Crowd.Member member : opened) {
        running.merge(member.node, 1L, Long::sum);
        order.append(member.node);
        long max = running.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        long min = running.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        if (max - min > 1) uneven++;
      }
      Map<String, Long> perNode = Crowd.perNode(opened);
      System.out.println(
          "two edges, 300 serial connects alternating: "
              + perNode
              + " in "
              + (System.nanoTime() - started) / 1_000_000
              + " ms; "
              + uneven
              + " steps with nodes 2+ apart; order "
              + order);
      assertThat(perNode).containsOnlyKeys("a", "b", "c");
      assertThat(maxOverMean(perNode, 3)).as("max/mean of %s", perNode).isLessThanOrEqualTo(1.1);
      // A rare step may race the other edge's message (on an idle machine: none; loaded: a few).
      assertThat(uneven)
          .as("steps (of 300) after which two nodes were 2+ apart; order %s", order)
          .isLessThanOrEqualTo(15);
    }
    awaitNoConnections();
  }

  /**
   * A connect storm through both edges right after an empty node joined (100 at once, 50 each): the
   * new node takes its fair share of the gap. Each edge counting only its own routes sent all of
   * its 50 there, twice the gap together: 98 of the 100 went to the new node.
   */
  @Test
  @Order(2)
  void aConnectStormThroughBothEdgesFillsANewNodeOnce() {
    awaitNoConnections();
    try (Crowd crowd = new Crowd(clients)) {
      List<Crowd.Member> all =
          new ArrayList<>(crowd.open(edgeUrls(), 150, 1, Duration.ofSeconds(120)));
      Node d = cluster.start("d", 1, 1, 64 * 1024, 4 * 1024 * 1024);
      awaitEdgesSee(4);
      Await.until(
          "both edges see every socket in the registry",
          Duration.ofSeconds(10),
          () ->
              List.of(first, second).stream()
                  .allMatch(
                      e ->
                          e.view().snapshot().stream().mapToLong(n -> n.connections()).sum()
                              == 150));
      long started = System.nanoTime();
      List<Crowd.Member> storm = crowd.open(edgeUrls(), 100, 100, Duration.ofSeconds(120));
      all.addAll(storm);
      Map<String, Long> perNode = Crowd.perNode(all);
      System.out.println(
          "two edges, 150 serial then a storm of 100 with a new node d: "
              + perNode
              + " (storm "
              + Crowd.perNode(storm)
              + " in "
              + (System.nanoTime() - started) / 1_000_000
              + " ms)");
      assertThat(perNode).containsOnlyKeys("a", "b", "c", "d");
      // 100 picks at once on two edges race the edges' messages to each other: on an idle machine
      // the new node gets its share (61-63), on a loaded one (a whole test suite on 2 cores) a
      // few more (up to 79 seen, 89 with another build running too); counting only its own routes,
      // each edge sent it all 50 (98, max/mean 1.57).
      assertThat(maxOverMean(perNode, 4)).as("max/mean of %s", perNode).isLessThanOrEqualTo(1.45);
      assertThat(d.connections()).isEqualTo(perNode.get("d"));
    }
  }
}
