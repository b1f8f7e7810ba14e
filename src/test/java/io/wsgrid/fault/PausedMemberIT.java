package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Fault: a node paused (a long GC, a stopped VM: here {@code kill -STOP}) for longer than the
 * cluster's heartbeat timeout ({@code hazelcast.max.no.heartbeat.seconds}, 10 s in
 * conf/hazelcast.yaml). The others declare it dead; when it resumes it finds itself alone and
 * Hazelcast's split-brain merge brings it back under a new member id. It must come back into
 * balancing by itself: the edge routes to it again, its presence entries are its live clients under
 * its new member id (so they go when it dies), and it receives and sends publications. Fat-jar
 * processes on loopback: edge + nodes n1, n2, n3; n3 is paused.
 */
class PausedMemberIT {
  private static final String CHANNEL = "chat.paused";
  private static final Duration PAUSE = Duration.ofSeconds(15);

  @Test
  void aNodePausedPastTheHeartbeatTimeoutComesBackIntoBalancingWithItsPresence() throws Exception {
    String cluster = Ports.clusterName("paused");
    int hzPort = Ports.clusterPort();
    // The members' exact addresses (the three nodes take the first ports, the edge the fourth): a
    // listed host without a port is probed on 20 ports, and in a merge round each port nobody
    // answers costs Hazelcast 5 s, so n3 would take a minute or more to find the others.
    String members =
        IntStream.range(0, 4)
            .mapToObj(i -> "127.0.0.1:" + (hzPort + i))
            .collect(Collectors.joining(","));
    Map<String, Integer> ports = new TreeMap<>();
    List<JarProcess> processes = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    JarProcess n3 = null;
    try {
      for (String name : List.of("n1", "n2", "n3")) {
        int port = Ports.free();
        ports.put(name, port);
        JarProcess node =
            JarProcess.start(
                "paused-" + name,
                "node",
                "--name",
                name,
                "--port",
                "" + port,
                "--instances",
                "1",
                "--cluster-name",
                cluster,
                "--cluster-port",
                "" + hzPort,
                "--cluster-members",
                members);
        processes.add(node);
        if (name.equals("n3")) n3 = node;
        // One after another: n1 is the oldest member, the one that cleans up after a departed
        // member.
        node.awaitReady(http(port) + "/ready", Duration.ofSeconds(120));
      }
      int edgePort = Ports.free();
      JarProcess edge =
          JarProcess.start(
              "paused-edge",
              "edge",
              "--name",
              "edge1",
              "--port",
              "" + edgePort,
              "--instances",
              "1",
              "--strategy",
              "least-connections",
              "--cluster-name",
              cluster,
              "--cluster-port",
              "" + hzPort,
              "--cluster-members",
              members);
      processes.add(edge);
      edge.awaitReady(http(edgePort) + "/ready", Duration.ofSeconds(120));
      Await.until(
          "the edge sees n1, n2 and n3",
          Duration.ofSeconds(60),
          () -> Http.nodesSeen(http(edgePort)).containsAll(List.of("n1", "n2", "n3")));

      // Subscribed before the pause: a subscriber on n1 (its event-bus registration must survive
      // n3's
      // time alone, when n3 took n1 for dead) and one on n3 (its registration the others dropped).
      WsClient observer = WsClient.connect(vertx, ws(ports.get("n1")));
      observer.subscribe(CHANNEL);
      WsClient early = WsClient.connect(vertx, ws(ports.get("n3")));
      early.subscribe(CHANNEL);
      String onN1 = observer.connectedFrame().getString("client") + "@n1";
      String earlyOnN3 = early.connectedFrame().getString("client") + "@n3";
      assertThat(presence(observer))
          .as("presence of %s before the pause", CHANNEL)
          .containsExactlyInAnyOrder(onN1, earlyOnN3);

      long pid = n3.pid();
      signal("STOP", pid);
      long stoppedAt = System.nanoTime();
      try {
        // Paused until the others have declared it dead (about 10 s), and for at least PAUSE.
        Await.until(
            "n1 and n2 drop the paused n3 (wsgrid_cluster_nodes 2)",
            Duration.ofSeconds(60),
            () -> nodesSeenBy(ports.get("n1")) == 2 && nodesSeenBy(ports.get("n2")) == 2);
        Await.until(
            "the edge drops n3",
            Duration.ofSeconds(30),
            () -> !Http.nodesSeen(http(edgePort)).contains("n3"));
        long left = PAUSE.toNanos() - (System.nanoTime() - stoppedAt);
        if (left > 0) Thread.sleep(left / 1_000_000);
      } finally {
        signal("CONT", pid);
      }
      long resumedAt = System.nanoTime();
      System.out.printf(
          "n3 paused for %d ms (kill -STOP), then resumed%n", (resumedAt - stoppedAt) / 1_000_000);

      Await.until(
          "n3 is back in one cluster of 3 nodes, as every node sees it",
          Duration.ofSeconds(60),
          () -> ports.values().stream().allMatch(p -> nodesSeenBy(p) == 3));
      Await.until(
          "the edge routes to n3 again (GET /admin/nodes lists it)",
          Duration.ofSeconds(60),
          () -> Http.nodesSeen(http(edgePort)).contains("n3"));
      long backMs = (System.nanoTime() - resumedAt) / 1_000_000;
      // The edge takes it back once it has rejoined; its /ready says so too (503 while it merges).
      Await.until(
          "GET /ready of the resumed n3 answers 200",
          Duration.ofSeconds(10),
          () -> JarProcess.status(http(ports.get("n3")) + "/ready") == 200);

      Map<String, Integer> placed = new TreeMap<>();
      List<WsClient> crowd = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        WsClient client = WsClient.connect(vertx, ws(edgePort));
        crowd.add(client);
        placed.merge(client.node(), 1, Integer::sum);
      }
      long sharedMs = (System.nanoTime() - resumedAt) / 1_000_000;
      System.out.printf(
          "n3 back in the edge's view %d ms after it resumed; 30 connects through the edge by %d ms: %s%n",
          backMs, sharedMs, placed);
      assertThat(placed.getOrDefault("n3", 0))
          .as("sockets of 30 new connects the edge put on the resumed n3: %s", placed)
          .isGreaterThanOrEqualTo(5);
      assertThat(sharedMs)
          .as("ms from the resume until 30 connects had put a share on n3")
          .isLessThan(60_000);

      // Presence: its client from before the pause and a new one, once each, read on another node.
      WsClient late = crowd.stream().filter(c -> "n3".equals(c.node())).findFirst().orElseThrow();
      late.subscribe(CHANNEL);
      List<String> expected =
          List.of(onN1, earlyOnN3, late.connectedFrame().getString("client") + "@n3");
      Await.until(
          "presence read on n1 lists n1's subscriber and n3's two, once each",
          Duration.ofSeconds(30),
          () -> sorted(presence(observer)).equals(sorted(expected)));

      // The event bus both ways: a publication on n1 reaches the subscribers on n3, one on n3 the
      // subscriber on n1.
      Http.publish(
          http(ports.get("n1")) + "/api/publish",
          new JsonObject().put("channel", CHANNEL).put("data", "from n1"));
      for (WsClient client : List.of(early, late, observer)) {
        assertThat(
                client.nextMatching(f -> CHANNEL.equals(f.getString("channel"))).getString("data"))
            .isEqualTo("from n1");
      }
      Http.publish(
          http(ports.get("n3")) + "/api/publish",
          new JsonObject().put("channel", CHANNEL).put("data", "from n3"));
      for (WsClient client : List.of(early, late, observer)) {
        assertThat(
                client.nextMatching(f -> CHANNEL.equals(f.getString("channel"))).getString("data"))
            .isEqualTo("from n3");
      }

      // Its entries carry its new member id: when it dies, the cluster removes them.
      n3.kill();
      Await.until(
          "n3's presence entries are gone after kill -9 (only the subscriber on n1 is left)",
          Duration.ofSeconds(30),
          () -> presence(observer).equals(List.of(onN1)));
      crowd.forEach(WsClient::close);
      observer.close();
    } finally {
      for (JarProcess process : processes) process.close();
      Await.result(vertx.close());
    }
  }

  /**
   * {@code client@node} for each entry of {@link #CHANNEL}'s presence, as the client's node reads
   * it.
   */
  private static List<String> presence(WsClient client) {
    JsonObject reply =
        client.request(new JsonObject().put("op", "presence").put("channel", CHANNEL));
    JsonArray clients = reply.getJsonArray("clients");
    if (clients == null) throw new AssertionError("presence failed: " + reply);
    return clients.stream()
        .map(o -> (JsonObject) o)
        .map(e -> e.getString("client") + "@" + e.getString("node"))
        .toList();
  }

  private static List<String> sorted(List<String> values) {
    return values.stream().sorted().toList();
  }

  private static double nodesSeenBy(int port) {
    return JarProcess.metric(http(port), "wsgrid_cluster_nodes");
  }

  private static String http(int port) {
    return "http://127.0.0.1:" + port;
  }

  private static String ws(int port) {
    return "ws://127.0.0.1:" + port + "/ws";
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
  }
}
