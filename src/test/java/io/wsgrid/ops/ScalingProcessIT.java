package io.wsgrid.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.client.Backoff;
import io.wsgrid.client.WsgridClient;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Scale in and out with real processes from the fat jar: an edge with {@code --auto-rebalance} and
 * three nodes, 300 Java clients on 10 history channels, a backend publishing throughout. Drain n3
 * with {@code POST /admin/drain}: all its clients end on n1 and n2, n3 exits 0, and the edge routed
 * no new socket to it after the drain began. Start n4: the edge rebalances by itself and n4 ends
 * within 10% of the mean. No client loses or repeats a publication.
 */
class ScalingProcessIT {
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int CLIENTS = 300;
  private static final int CHANNELS = 10;
  private static final int RATE = 200; // publications per second, all channels together
  private static final int MAX_PUBLICATIONS = 20_000;

  private record Watched(WsgridClient client, String channel, List<JsonObject> received) {}

  @Test
  void drainAndAutoRebalanceLoseNothing() throws Exception {
    int port = Ports.freeRange(5);
    String edgeHttp = "http://127.0.0.1:" + port;
    String[] cluster = {
      "--cluster-name", Ports.clusterName("scaleproc"), "--cluster-port", "" + Ports.clusterPort()
    };
    List<JarProcess> processes = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      for (int i = 1; i <= 3; i++) processes.add(node(i, port, cluster));
      JarProcess edge =
          JarProcess.start(
              "scaleproc-edge",
              concat(
                  new String[] {
                    "edge",
                    "--port",
                    "" + port,
                    "--name",
                    "edge",
                    "--auto-rebalance",
                    "--auto-rebalance-after",
                    "2",
                    "--rebalance-threshold",
                    "0.1"
                  },
                  cluster));
      processes.add(edge);
      for (JarProcess p : processes) {
        p.awaitReady(
            p == edge
                ? edgeHttp + "/ready"
                : "http://127.0.0.1:" + (port + processes.indexOf(p) + 1) + "/ready",
            Duration.ofSeconds(120));
      }
      Await.until(
          "the edge sees n1 n2 n3",
          Duration.ofSeconds(30),
          () -> Http.nodesSeen(edgeHttp).size() == 3);

      List<Future<Watched>> connecting = new ArrayList<>();
      AtomicInteger recoveryFailures = new AtomicInteger();
      for (int i = 0; i < CLIENTS; i++) {
        String channel = "chat.scaleproc" + (i % CHANNELS);
        connecting.add(
            WsgridClient.connect(vertx, "ws://127.0.0.1:" + port + "/ws", new Backoff(100, 2_000))
                .compose(
                    client -> {
                      client.onRecoveryFailed(ch -> recoveryFailures.incrementAndGet());
                      Watched w = new Watched(client, channel, new CopyOnWriteArrayList<>());
                      return client.subscribe(channel, w.received()::add).map(w);
                    }));
      }
      List<Watched> watched = Await.result(Future.all(connecting), Duration.ofSeconds(60)).list();
      System.out.println("scaling: clients per node at start " + perNode(watched));

      AtomicBoolean publishing = new AtomicBoolean(true);
      AtomicInteger published = new AtomicInteger();
      CompletableFuture<Void> backend =
          CompletableFuture.runAsync(
              () -> {
                long started = System.nanoTime();
                for (int i = 0; publishing.get() && i < MAX_PUBLICATIONS; i++) {
                  Http.publish(
                      "http://127.0.0.1:" + (port + 1) + "/api/publish",
                      new JsonObject()
                          .put("channel", "chat.scaleproc" + (i % CHANNELS))
                          .put("data", i / CHANNELS));
                  published.incrementAndGet();
                  long wait =
                      started + TimeUnit.SECONDS.toNanos(1) * (i + 1) / RATE - System.nanoTime();
                  if (wait > 0) LockSupport.parkNanos(wait);
                }
              });

      // A burst of 300 connects spreads within ~20%; the edge's auto-rebalance sheds what is more
      // than
      // 10% over the mean (its promise: a node under the mean is left to fill with new sockets).
      Await.until(
          "no node more than 10% over the mean",
          Duration.ofSeconds(60),
          () -> {
            Map<String, Long> spread = perNode(watched);
            return spread.size() == 3
                && spread.values().stream().mapToLong(Long::longValue).sum() == CLIENTS
                && spread.values().stream().allMatch(n -> n <= 110);
          });
      Thread.sleep(
          2_000); // reconnects of that rebalance are through before the drain's routing is checked
      System.out.println("scaling: clients per node before the drain " + perNode(watched));

      // scale in: drain n3
      JarProcess n3 = processes.get(2);
      double routedToN3 = routed(edgeHttp, "n3");
      long drainStarted = System.nanoTime();
      HttpResponse<String> drain =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (port + 3) + "/admin/drain"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(drain.statusCode()).as(drain.body()).isEqualTo(202);
      assertThat(n3.await(Duration.ofSeconds(60))).as("n3's exit code after its drain").isZero();
      Await.until(
          "every client is back on n1 or n2",
          Duration.ofSeconds(30),
          () ->
              watched.stream()
                  .allMatch(w -> "n1".equals(w.client().node()) || "n2".equals(w.client().node())));
      System.out.printf(
          "scaling: from the drain request to n3 exited and every client back took %d ms; per node %s%n",
          (System.nanoTime() - drainStarted) / 1_000_000, perNode(watched));
      assertThat(routed(edgeHttp, "n3"))
          .as("sockets routed to n3 after its drain began")
          .isEqualTo(routedToN3);
      assertThat(n3.log()).contains("drain");

      // scale out: n4 joins; the edge rebalances by itself
      processes.add(node(4, port, cluster));
      processes
          .get(processes.size() - 1)
          .awaitReady("http://127.0.0.1:" + (port + 4) + "/ready", Duration.ofSeconds(120));
      long joined = System.nanoTime();
      Await.until(
          "n4 within 10% of the mean (100)",
          Duration.ofSeconds(60),
          () -> {
            long onN4 = watched.stream().filter(w -> "n4".equals(w.client().node())).count();
            return onN4 >= 90
                && onN4 <= 110
                && watched.stream().allMatch(w -> w.client().node() != null);
          });
      System.out.printf(
          "scaling: n4 reached its share %d ms after it was ready; per node %s; auto rebalances %s%n",
          (System.nanoTime() - joined) / 1_000_000,
          perNode(watched),
          Http.metric(edgeHttp, "wsgrid_edge_rebalances_total", "trigger", "auto"));
      assertThat(Http.metric(edgeHttp, "wsgrid_edge_rebalances_total", "trigger", "auto"))
          .isGreaterThanOrEqualTo(1);

      Thread.sleep(1_000);
      publishing.set(false);
      backend.get(30, TimeUnit.SECONDS);
      int total = published.get();
      Await.until(
          "every client has every publication of its channel",
          Duration.ofSeconds(30),
          () ->
              watched.stream().allMatch(w -> w.received().size() >= expected(total, w.channel())));
      Thread.sleep(300);
      int moved = 0;
      for (Watched w : watched) {
        assertThat(w.received())
            .extracting(p -> p.getInteger("data"))
            .as(w.channel())
            .containsExactlyElementsOf(
                IntStream.range(0, expected(total, w.channel())).boxed().toList());
        if (w.client().reconnects() > 0) moved++;
      }
      assertThat(recoveryFailures).hasValue(0);
      System.out.printf(
          "scaling: %d publications, %d clients moved at least once, none lost or repeated one%n",
          total, moved);
      Future.join(watched.stream().map(w -> w.client().close()).toList())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } finally {
      for (JarProcess p : processes) p.close();
      Await.result(vertx.close());
    }
  }

  private static JarProcess node(int i, int port, String[] cluster) {
    return JarProcess.start(
        "scaleproc-n" + i,
        concat(
            new String[] {"node", "--port", "" + (port + i), "--name", "n" + i, "--instances", "1"},
            cluster));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static Map<String, Long> perNode(List<Watched> watched) {
    return watched.stream()
        .collect(
            Collectors.groupingBy(
                w -> String.valueOf(w.client().node()),
                java.util.TreeMap::new,
                Collectors.counting()));
  }

  private static int expected(int total, String channel) {
    int index = Integer.parseInt(channel.substring("chat.scaleproc".length()));
    return total / CHANNELS + (index < total % CHANNELS ? 1 : 0);
  }

  private static double routed(String edgeHttp, String node) {
    return Http.metric(edgeHttp, "wsgrid_edge_routed_total", "node", node);
  }
}
