package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.NetNamespace;
import io.wsgrid.testing.NetworkLab;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fault: a network partition between hosts, on a {@link NetworkLab} of three hosts (network
 * namespaces on a bridge, one fat-jar node each). The three form one cluster and a publication on
 * host 1 reaches a subscriber on host 3; with host 3's link cut for 15 s each side sees only its
 * own members; once healed, Hazelcast's merge (every 10 s, {@code
 * hazelcast.merge.next.run.delay.seconds}) makes one cluster of three again and publications cross
 * both ways, to the subscriber from before the cut and to a new one.
 *
 * <p><b>Writing another partition test with the lab</b> (for example one that checks channel order
 * across a split):
 *
 * <pre>{@code
 * try (NetworkLab lab = NetworkLab.create(3)) {          // skips (fails under CI) without CAP_NET_ADMIN
 *   List<JarProcess> nodes = List.of(lab.startNode(lab.host(1), "n1", 8081), …);  // same port on every host
 *   String n1 = "http://" + lab.host(1).address() + ":8081";   // reachable from the test through the bridge
 *   // clients: WsClient.connect(vertx, "ws://" + lab.host(3).address() + ":8081/ws") from the test process
 *   lab.partition(lab.host(3));     // host 3 alone: {n1, n2} | {n3}; or lab.split(lab.host(1)) for {n1} | {n2, n3}
 *   lab.metric(lab.host(3), n3, "wsgrid_cluster_nodes");   // read a cut-off host from inside it
 *   lab.heal();                     // then wait for wsgrid_cluster_nodes == 3 and /ready 200 on every node (~10-25 s)
 *   lab.pause(nodes.get(0)); lab.resume(nodes.get(0));    // kill -STOP / -CONT: a pause, late traffic
 * }                                 // close(): processes ended by pid, namespaces, veths and bridges removed
 * }</pre>
 *
 * Things to know: while a host is cut off the test process cannot reach it either (its clients'
 * sockets stall; they may survive a short cut); use {@link NetworkLab#get} or {@link
 * NetworkLab#metric} to look inside. Nodes' {@code /api/*} answer only to loopback without {@code
 * --api-key}, and the test process is not loopback for them: publish over a WebSocket ({@code op:
 * publish}) or pass {@code --api-key}. Publishing on both sides during the cut and checking each
 * client's stream after the heal is the test the broker's split-brain rules need.
 */
class PartitionHealIT {
  private static final int PORT = 8081;
  private static final String CHANNEL = "chat.lab";

  @Test
  void threeHostsFormOneClusterSplitWhenAHostIsCutOffAndMergeBackWhenHealed() {
    Vertx vertx = Vertx.vertx();
    List<WsClient> clients = new ArrayList<>();
    try (NetworkLab lab = NetworkLab.create(3)) {
      List<JarProcess> nodes = new ArrayList<>();
      for (int h = 1; h <= 3; h++) nodes.add(lab.startNode(lab.host(h), "lab-n" + h, PORT));
      for (int h = 1; h <= 3; h++)
        nodes.get(h - 1).awaitReady(http(lab, h) + "/ready", Duration.ofSeconds(120));
      awaitClusterSize(
          lab, List.of(1, 2, 3), 3, "the three hosts form one cluster", Duration.ofSeconds(60));

      WsClient publisher = connect(vertx, clients, lab, 1);
      WsClient before = connect(vertx, clients, lab, 3);
      before.subscribe(CHANNEL);
      assertThat(publisher.publish(CHANNEL, "across the bridge").containsKey("error")).isFalse();
      assertThat(next(before)).as("host 1 → host 3 before the cut").isEqualTo("across the bridge");

      long cutAt = System.nanoTime();
      lab.partition(lab.host(3));
      awaitClusterSize(
          lab, List.of(1, 2), 2, "hosts 1 and 2 see only each other", Duration.ofSeconds(45));
      awaitClusterSize(lab, List.of(3), 1, "host 3 sees only itself", Duration.ofSeconds(45));
      long left = Duration.ofSeconds(15).toNanos() - (System.nanoTime() - cutAt);
      if (left > 0) sleep(left / 1_000_000);
      lab.heal();
      long healedAt = System.nanoTime();

      awaitClusterSize(
          lab,
          List.of(1, 2, 3),
          3,
          "one cluster of three again after the heal",
          Duration.ofSeconds(60));
      // Host 3 has joined; /ready is 503 until its merge has finished (a second or so).
      for (int h = 1; h <= 3; h++)
        nodes.get(h - 1).awaitReady(http(lab, h) + "/ready", Duration.ofSeconds(30));
      System.out.printf(
          "host 3 cut off for %d ms; one cluster of 3 again %d ms after the heal%n",
          (healedAt - cutAt) / 1_000_000, (System.nanoTime() - healedAt) / 1_000_000);

      WsClient after = connect(vertx, clients, lab, 3);
      after.subscribe(CHANNEL);
      WsClient onHost1 = connect(vertx, clients, lab, 1);
      onHost1.subscribe(CHANNEL);
      publisher.publish(CHANNEL, "after the heal, from host 1");
      assertThat(next(after))
          .as("host 1 → a new subscriber on host 3")
          .isEqualTo("after the heal, from host 1");
      assertThat(next(before))
          .as("host 1 → the subscriber on host 3 from before the cut")
          .isEqualTo("after the heal, from host 1");
      assertThat(next(onHost1))
          .as("host 1 → a subscriber on host 1")
          .isEqualTo("after the heal, from host 1");
      after.publish(CHANNEL, "after the heal, from host 3");
      assertThat(next(onHost1))
          .as("host 3 → a subscriber on host 1")
          .isEqualTo("after the heal, from host 3");
    } finally {
      clients.forEach(WsClient::close);
      Await.result(vertx.close());
    }
  }

  private static WsClient connect(Vertx vertx, List<WsClient> clients, NetworkLab lab, int host) {
    WsClient client =
        WsClient.connect(vertx, "ws://" + lab.host(host).address() + ":" + PORT + "/ws");
    clients.add(client);
    return client;
  }

  /** The data of the client's next publication on {@link #CHANNEL}. */
  private static String next(WsClient client) {
    return client.nextMatching(f -> CHANNEL.equals(f.getString("channel"))).getString("data");
  }

  /**
   * Waits until every node on {@code hosts} counts {@code size} nodes, each read from inside its
   * own host.
   */
  private static void awaitClusterSize(
      NetworkLab lab, List<Integer> hosts, int size, String what, Duration timeout) {
    Await.until(
        what + " (wsgrid_cluster_nodes " + size + ")",
        timeout,
        () -> {
          boolean all =
              hosts.stream()
                  .allMatch(
                      h -> {
                        NetNamespace host = lab.host(h);
                        return lab.metric(host, http(lab, h), "wsgrid_cluster_nodes") == size;
                      });
          if (!all) sleep(500); // each look is a curl in a namespace: not every 20 ms
          return all;
        });
  }

  private static String http(NetworkLab lab, int host) {
    return "http://" + lab.host(host).address() + ":" + PORT;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
