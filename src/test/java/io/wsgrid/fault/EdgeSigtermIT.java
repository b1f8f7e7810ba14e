package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.RawWebSocket;
import io.wsgrid.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An edge rollout without a reconnect storm: a fat-jar edge with 1,000 tunnels to three real nodes
 * gets SIGTERM; it turns unready and refuses new sockets at once, closes its tunnels spread evenly
 * over {@code --close-spread-time} (each client gets the node's close frame 1001 with the reason,
 * after everything the node sent), and exits 0.
 */
class EdgeSigtermIT {
  private static final int SOCKETS = 1_000;
  private static final int SPREAD_SECONDS = 6;

  @Test
  void sigtermClosesTheTunnelsSpreadOverTheCloseSpreadTime() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestNodes cluster = new TestNodes("edge-sigterm")) {
      for (String name : List.of("a", "b", "c"))
        cluster.start(name, 1, 1, 64 * 1024, 4 * 1024 * 1024);
      int port = Ports.free();
      String http = "http://127.0.0.1:" + port;
      try (JarProcess edge =
              JarProcess.start(
                  "edge-sigterm",
                  "edge",
                  "--port",
                  "" + port,
                  "--name",
                  "edge-sigterm",
                  "--cluster-name",
                  cluster.clusterName(),
                  "--cluster-port",
                  "" + cluster.clusterPort(),
                  "--instances",
                  "2",
                  "--close-spread-time",
                  "" + SPREAD_SECONDS);
          Crowd crowd = new Crowd(vertx)) {
        edge.awaitReady(http + "/ready", Duration.ofSeconds(120));
        Await.until(
            "the edge sees 3 nodes",
            Duration.ofSeconds(30),
            () -> Http.nodesSeen(http).size() == 3);
        List<Crowd.Member> members =
            crowd.open(
                List.of("ws://127.0.0.1:" + port + "/ws"), SOCKETS, 50, Duration.ofSeconds(120));
        assertThat(Crowd.perNode(members)).containsOnlyKeys("a", "b", "c");
        Await.until(
            "the nodes hold every socket",
            Duration.ofSeconds(20),
            () -> cluster.nodes().stream().mapToLong(Node::connections).sum() == SOCKETS);

        long sigterm = System.nanoTime();
        edge.process().destroy();
        Await.until(
            "/ready answers 503 at once",
            Duration.ofSeconds(5),
            () -> JarProcess.status(http + "/ready") == 503);
        assertThat(RawWebSocket.upgrade("127.0.0.1", port, "/ws").status())
            .as("a new socket during the spread")
            .isEqualTo(503);

        assertThat(edge.await(Duration.ofSeconds(SPREAD_SECONDS + 20)))
            .as("exit code; log:%n%s", edge.log())
            .isEqualTo(0);
        double exitedAfter = (System.nanoTime() - sigterm) / 1e9;
        Await.until(
            "every client saw its close",
            Duration.ofSeconds(10),
            () -> members.stream().allMatch(Crowd.Member::closed));

        List<Double> seconds =
            members.stream().map(m -> (m.closedAtNanos - sigterm) / 1e9).sorted().toList();
        Map<Integer, Long> perSecond =
            seconds.stream()
                .collect(
                    Collectors.groupingBy(
                        s -> (int) Math.floor(s), TreeMap::new, Collectors.counting()));
        System.out.printf(
            "edge SIGTERM with %d tunnels: closes from %.2f s to %.2f s, per second %s; exited after %.1f s%n",
            SOCKETS, seconds.get(0), seconds.get(seconds.size() - 1), perSecond, exitedAfter);
        assertThat(seconds.get(seconds.size() - 1) - seconds.get(0))
            .as("first to last close")
            .isGreaterThanOrEqualTo(SPREAD_SECONDS - 2);
        long fairShare = SOCKETS / SPREAD_SECONDS;
        assertThat(perSecond.values())
            .as("closes per second (fair share %d): %s", fairShare, perSecond)
            .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(fairShare * 3 / 2));
        assertThat(members)
            .allSatisfy(
                m -> {
                  assertThat(m.closeCode).isEqualTo((short) 1001);
                  assertThat(m.closeReason).isEqualTo("edge restarting; reconnect");
                });
        Await.until(
            "the nodes closed every tunnelled socket",
            Duration.ofSeconds(20),
            () -> cluster.nodes().stream().mapToLong(Node::connections).sum() == 0);
        assertThat(edge.log())
            .contains("closing " + SOCKETS + " tunnels")
            .contains("tunnels asked to close")
            .contains("all " + SOCKETS + " tunnels closed");
      }
    } finally {
      Await.result(vertx.close());
    }
  }
}
