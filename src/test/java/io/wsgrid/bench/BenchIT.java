package io.wsgrid.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.wsgrid.broker.ChannelPolicies;
import io.wsgrid.edge.Edge;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load generator against real clustered nodes and an edge: every scenario runs small and its
 * counts add up (each acked publication reaches each subscriber of its channel, nothing dropped),
 * and a target that is down fails with a message saying so. Not a speed test: the numbers live in
 * {@code src/bench/RESULTS.md}.
 */
class BenchIT {
  @Test
  void scenariosCountWhatTheyMeasure() throws Exception {
    try (TestNodes cluster = new TestNodes("bench");
        Bench bench = new Bench()) {
      Node a = cluster.start("a");
      Node b = cluster.start("b");
      Edge edge = cluster.startEdge("edge", "least-connections");
      Await.until(
          "the edge sees both nodes",
          Duration.ofSeconds(30),
          () -> edge.view().snapshot().size() == 2);
      List<String> nodes = List.of(a.settings().wsUrl(), b.settings().wsUrl());
      int probes = followed(cluster);

      JsonObject fanout =
          new JsonObject(
              bench.fanout(
                  "wsgrid", nodes, null, 100, 5, 2, 128, 200, 2, 1, 1, 50, "bench.fanout", true));
      System.out.println("bench fanout: " + fanout.encode());
      long publications = fanout.getLong("publications");
      assertThat(publications).isBetween(300L, 420L);
      assertThat(fanout.getLong("deliveries"))
          .as("each publication reaches the 20 subscribers of its channel, across both nodes")
          .isEqualTo(publications * 20);
      assertThat(fanout.getLong("drops")).isZero();
      assertThat(fanout.getLong("errors")).isZero();
      assertThat(fanout.getDouble("latency_p50_ms")).isPositive();
      assertThat(fanout.getDouble("latency_p99_ms"))
          .isGreaterThanOrEqualTo(fanout.getDouble("latency_p50_ms"));

      JsonObject connect =
          new JsonObject(bench.connect("wsgrid", List.of(edge.settings().url()), 200, 50, 1, true));
      assertThat(connect.getInteger("connected")).isEqualTo(200);
      assertThat(connect.getInteger("failures")).isZero();
      assertThat(connect.getLong("connects_per_s")).isPositive();

      String metrics = a.settings().httpUrl() + "/metrics";
      JsonObject idle =
          new JsonObject(
              bench.idle(
                  "wsgrid",
                  List.of(a.settings().wsUrl()),
                  300,
                  100,
                  2,
                  1,
                  metrics,
                  0,
                  ProcessHandle.current().pid(),
                  true));
      assertThat(idle.getLong("held")).isEqualTo(300);
      assertThat(idle.getDouble("rss_after_mib")).as("the node reports its RSS").isPositive();
      assertThat(idle.getValue("heap_per_socket_kib")).isNotNull();

      // least-connections evens out total counts: start from empty nodes, not from the idle run's
      // closing sockets
      Await.until(
          "the registry shows both nodes empty",
          Duration.ofSeconds(30),
          () -> edge.view().snapshot().stream().allMatch(e -> e.connections() == 0));
      JsonObject balance =
          new JsonObject(bench.balance(edge.settings().url(), 200, 20, 1, false, true));
      assertThat(balance.getInteger("connected")).isEqualTo(200);
      JsonObject perNode = new JsonObject(balance.getString("per_node"));
      assertThat(perNode.fieldNames()).containsExactlyInAnyOrder("a", "b");
      assertThat(perNode.getInteger("a") + perNode.getInteger("b")).isEqualTo(200);
      // max/mean as reported is what the counts say (a burst of 20 in flight spreads within ~20%,
      // as EdgeClusterIT pins)
      assertThat(balance.getDouble("max_over_mean"))
          .isCloseTo(
              Math.max(perNode.getInteger("a"), perNode.getInteger("b")) / 100.0,
              org.assertj.core.data.Offset.offset(0.001))
          .isLessThanOrEqualTo(1.3);

      int closed = Ports.free();
      assertThatThrownBy(
              () ->
                  bench.connect(
                      "wsgrid", List.of("ws://127.0.0.1:" + closed + "/ws"), 5, 5, 1, true))
          .hasMessageContaining("no socket opened")
          .hasMessageContaining("refused");
    }
  }

  /**
   * The load generator spreads its sockets over all its event loops (a thread outside Vert.x 5 gets
   * one sticky loop, which once put every socket of a run on one core), and a fan-out with two
   * subscriber paths (direct, through the edge) measures each path's latency on the same
   * publications.
   */
  @Test
  void socketsSpreadOverEveryEventLoopAndEachSubscriberPathIsTimedApart() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3));
    try (TestNodes cluster = new TestNodes("benchpaths")) {
      Node a = cluster.start("a");
      Edge edge = cluster.startEdge("edge", "least-connections");
      Await.until(
          "the edge sees the node",
          Duration.ofSeconds(30),
          () -> edge.view().snapshot().size() == 1);
      String direct = a.settings().wsUrl();

      Connector connector = new Connector(vertx, new WsgridWire(), 1);
      List<BenchSocket> sockets = FanoutScenario.await(connector.open(List.of(direct), 30, 30), 60);
      assertThat(sockets.stream().map(BenchSocket::context).distinct().count())
          .as("one context per event loop")
          .isEqualTo(3);
      FanoutScenario.await(connector.closeAll(sockets).compose(v -> connector.close()), 30);
      assertThat(vertx.deploymentIDs())
          .as("closing the connector undeploys its per-loop verticles")
          .isEmpty();

      try (FanoutScenario scenario =
          new FanoutScenario(
              vertx,
              new WsgridWire(),
              new FanoutScenario.Settings(
                  List.of(direct),
                  List.of(List.of(direct), List.of(edge.settings().url())),
                  40,
                  4,
                  2,
                  128,
                  1,
                  20,
                  "bench.paths."))) {
        scenario.setup();
        Report report = scenario.step(100, 2);
        System.out.println("two paths: " + report.toJson().encode());
        assertThat(report.number("deliveries"))
            .as("every publication reaches the 10 subscribers of its channel, 5 per path")
            .isEqualTo(report.number("publications") * 10);
        assertThat(report.number("drops")).isZero();
        for (String path : List.of("path1", "path2")) {
          assertThat(report.number(path + "_latency_p50_ms")).isPositive();
          assertThat(report.number(path + "_latency_p99_ms"))
              .isGreaterThanOrEqualTo(report.number(path + "_latency_p50_ms"));
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /**
   * {@code bench channels} publishes once to each of N channels no earlier run used, paced and
   * bounded, and the cluster then holds N channels; it gives up on a node that is not there. A
   * fan-out's subscribers moved to fresh names get the next step's publications there and leave
   * their old channels.
   */
  @Test
  void channelsAreDistinctAndPacedAndSubscribersMoveToFreshOnes() throws Exception {
    ChannelPolicies policies = new ChannelPolicies(List.of(), 30);
    try (TestNodes cluster = new TestNodes("benchchannels");
        Bench bench = new Bench()) {
      Node a = cluster.start("a", policies);
      Node b = cluster.start("b", policies);
      Await.until(
          "2 members",
          Duration.ofSeconds(30),
          () -> a.hazelcast().getCluster().getMembers().size() == 2);
      List<String> http = List.of(a.settings().httpUrl(), b.settings().httpUrl());

      JsonObject channels =
          new JsonObject(
              bench.channels(
                  new ChannelsScenario.Settings(http, 300, 200, 16, "bench.distinct", null, 60),
                  true));
      System.out.println("bench channels: " + channels.encode());
      assertThat(channels.getLong("channels")).isEqualTo(300);
      assertThat(channels.getLong("failures")).isZero();
      assertThat(channels.getDouble("seconds")).as("300 at 200/s").isGreaterThanOrEqualTo(1.4);
      // and each node's own probe channel (LogBroker.PROBE_PREFIX)
      Await.until(
          "the log to hold the 300 channels",
          Duration.ofSeconds(40),
          () -> logChannels(cluster) == 300 + cluster.nodes().size());

      int closed = Ports.free();
      JsonObject nobody =
          new JsonObject(
              bench.channels(
                  new ChannelsScenario.Settings(
                      List.of("http://127.0.0.1:" + closed),
                      100_000,
                      0,
                      16,
                      "bench.nobody",
                      null,
                      60),
                  true));
      assertThat(nobody.getLong("channels")).isZero();
      assertThat(nobody.getLong("failures"))
          .as("gives up after %d in a row, the ones in flight then", ChannelsScenario.GIVE_UP)
          .isBetween((long) ChannelsScenario.GIVE_UP, ChannelsScenario.GIVE_UP + 16L);
      assertThat(nobody.getString("stopped_by")).contains("in a row failed");
      assertThat(nobody.getString("last_failure")).containsIgnoringCase("refused");

      List<String> nodes = List.of(a.settings().wsUrl(), b.settings().wsUrl());
      int probes = followed(cluster);
      try (FanoutScenario scenario =
          new FanoutScenario(
              bench.vertx(),
              new WsgridWire(),
              new FanoutScenario.Settings(nodes, 40, 40, 2, 128, 1, 20, "bench.before."))) {
        scenario.setup();
        assertThat(scenario.step(100, 1).number("drops")).isZero();
        Await.until(
            "the nodes to follow the 40 channels",
            Duration.ofSeconds(20),
            () -> followed(cluster) == probes + 40);
        scenario.moveTo("bench.after.");
        Report moved = scenario.step(100, 1);
        System.out.println("after the move: " + moved.toJson().encode());
        assertThat(moved.number("publications")).isPositive();
        assertThat(moved.number("deliveries"))
            .as("each publication to the new names reaches its one subscriber")
            .isEqualTo(moved.number("publications"));
        assertThat(moved.number("drops")).isZero();
        Await.until(
            "the nodes to follow the 40 new channels only",
            Duration.ofSeconds(20),
            () -> followed(cluster) == probes + 40);
      }
    }
  }

  private static double logChannels(TestNodes cluster) {
    return cluster.nodes().stream()
        .mapToDouble(n -> n.registry().find(MeterNames.LOG_CHANNELS).gauge().value())
        .sum();
  }

  private static int followed(TestNodes cluster) {
    return cluster.nodes().stream().mapToInt(n -> n.broker().subscribedChannels()).sum();
  }
}
