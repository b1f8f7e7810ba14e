package io.wsgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.client.Backoff;
import io.wsgrid.client.WsgridClient;
import io.wsgrid.edge.Edge;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Scale in and out while clients stay served: 90 clients through the edge on three nodes, a backend
 * publishing throughout; drain one node (its clients move, none routed to it after the drain
 * began), then add a node and rebalance (no node ends over 10% above its share, the new one holds
 * its part); nobody loses a publication.
 */
class ScalingIT {
  private static final HttpClient http = HttpClient.newHttpClient();

  private record Watched(
      WsgridClient client, String channel, List<JsonObject> received, List<JsonObject> replies) {}

  @Test
  void drainAndRebalanceKeepEveryPublication() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestNodes cluster = new TestNodes("scaling")) {
      Node a = cluster.start("a", 1, 1, 65536, 4 << 20);
      Node b = cluster.start("b", 1, 1, 65536, 4 << 20);
      Node c = cluster.start("c", 1, 1, 65536, 4 << 20);
      Edge edge = cluster.startEdge("edges", "least-connections");
      Await.until(
          "the edge sees 3 nodes",
          Duration.ofSeconds(30),
          () -> edge.view().snapshot().size() == 3);
      List<Future<Watched>> connecting = new ArrayList<>();
      for (int i = 0; i < 90; i++) {
        String channel = "chat.scale" + (i % 3);
        connecting.add(
            WsgridClient.connect(vertx, edge.settings().url(), new Backoff(50, 1_000))
                .compose(
                    client -> {
                      Watched w =
                          new Watched(
                              client,
                              channel,
                              new CopyOnWriteArrayList<>(),
                              new CopyOnWriteArrayList<>());
                      return client
                          .subscribe(channel, w.received()::add)
                          .map(
                              r -> {
                                w.replies().add(r);
                                return w;
                              });
                    }));
      }
      List<Watched> watched = Await.result(Future.all(connecting)).list();
      assertThat(c.connections()).isGreaterThan(15);

      AtomicBoolean publishing = new AtomicBoolean(true);
      AtomicInteger published = new AtomicInteger();
      CompletableFuture<Void> backend =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; publishing.get() && i < 3_000; i++) {
                  post(
                      a,
                      new JsonObject().put("channel", "chat.scale" + (i % 3)).put("data", i / 3));
                  published.incrementAndGet();
                  try {
                    Thread.sleep(5);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });

      // scale in: drain c
      Thread.sleep(300);
      double routedToCBefore = routed(edge, "c");
      HttpResponse<String> drain =
          http.send(
              HttpRequest.newBuilder(URI.create(c.settings().httpUrl() + "/admin/drain"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(drain.statusCode()).isEqualTo(202);
      cluster.nodes().remove(c);
      assertThat(c.awaitStopped(30, TimeUnit.SECONDS)).isTrue();
      Await.until(
          "every client is back on a or b",
          Duration.ofSeconds(20),
          () ->
              watched.stream()
                  .allMatch(w -> "a".equals(w.client().node()) || "b".equals(w.client().node())));
      assertThat(routed(edge, "c"))
          .as("no socket routed to c after its drain began")
          .isEqualTo(routedToCBefore);

      // scale out: add d and rebalance
      Node d = cluster.start("d", 1, 1, 65536, 4 << 20);
      Await.until("the edge sees d", Duration.ofSeconds(20), () -> edge.view().get("d") != null);
      Await.until(
          "a and b report their sockets",
          Duration.ofSeconds(10),
          () -> edge.view().snapshot().stream().mapToLong(e -> e.connections()).sum() == 90);
      // Rebalance until no node is over the threshold (10% above its share of 30, what the
      // rebalancer
      // promises) and d took a real share: reconnects may land unevenly (one CI run: a=33 b=33
      // d=24,
      // and 33 is not over the threshold), so the operator (or --auto-rebalance) asks again.
      boolean balanced = false;
      for (int round = 1; round <= 3 && !balanced; round++) {
        HttpResponse<String> rebalance =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + edge.settings().port() + "/admin/rebalance"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(rebalance.statusCode()).as(rebalance.body()).isEqualTo(200);
        try {
          Await.until(
              "no node over 110% of its share (33) and d at 2/3 of its share or more",
              Duration.ofSeconds(10),
              () ->
                  d.connections() >= 20
                      && a.connections() <= 33
                      && b.connections() <= 33
                      && d.connections() <= 33
                      && watched.stream().allMatch(w -> w.client().node() != null));
          balanced = true;
        } catch (AssertionError e) {
          System.out.printf(
              "scaling: after rebalance %d a=%d b=%d d=%d, asking again%n",
              round, a.connections(), b.connections(), d.connections());
        }
      }
      assertThat(balanced)
          .as("no node over the threshold and d holding its part after at most 3 rebalances")
          .isTrue();

      publishing.set(false);
      backend.get(30, TimeUnit.SECONDS);
      int total = published.get();
      try {
        Await.until(
            "every client has every publication of its channel",
            Duration.ofSeconds(30),
            () ->
                watched.stream()
                    .allMatch(w -> w.received().size() >= expected(total, w.channel())));
      } catch (AssertionError e) {
        for (Watched w : watched) {
          if (w.received().size() < expected(total, w.channel())) {
            List<Integer> data = w.received().stream().map(p -> p.getInteger("data")).toList();
            System.out.println(
                "MISSING reply="
                    + w.replies()
                    + " first="
                    + (w.received().isEmpty() ? null : w.received().get(0).encode())
                    + " "
                    + w.channel()
                    + " on "
                    + w.client().node()
                    + " reconnects="
                    + w.client().reconnects()
                    + " got "
                    + data.size()
                    + "/"
                    + expected(total, w.channel())
                    + " last="
                    + (data.isEmpty() ? -1 : data.get(data.size() - 1))
                    + " gaps="
                    + IntStream.range(1, data.size())
                        .filter(i -> data.get(i) != data.get(i - 1) + 1)
                        .mapToObj(i -> data.get(i - 1) + "->" + data.get(i))
                        .toList());
          }
        }
        throw e;
      }
      for (Watched w : watched) {
        assertThat(w.received())
            .extracting(p -> p.getInteger("data"))
            .as(w.channel())
            .containsExactlyElementsOf(
                IntStream.range(0, expected(total, w.channel())).boxed().toList());
      }
      System.out.printf(
          "scaling: %d publications; after drain and rebalance a=%d b=%d d=%d%n",
          total, a.connections(), b.connections(), d.connections());
      Future.join(watched.stream().map(w -> w.client().close()).toList())
          .toCompletionStage()
          .toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    } finally {
      Await.result(vertx.close());
    }
  }

  /** Publications to a channel out of {@code total} sent round-robin over three channels. */
  private static int expected(int total, String channel) {
    int index = channel.charAt(channel.length() - 1) - '0';
    return total / 3 + (index < total % 3 ? 1 : 0);
  }

  private static double routed(Edge edge, String node) {
    return edge
        .registry()
        .find(MeterNames.EDGE_ROUTED)
        .tag(MeterNames.TAG_NODE, node)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static void post(Node node, JsonObject body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(node.settings().httpUrl() + "/api/publish"))
                  .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200)
        throw new AssertionError("publish: " + response.statusCode() + " " + response.body());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
