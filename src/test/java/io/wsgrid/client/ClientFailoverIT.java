package io.wsgrid.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The promise of wsgrid, end to end with real processes: a client connected through the edge
 * whose node is killed (SIGKILL) while a backend keeps publishing reconnects through the edge to
 * another node and receives every publication once and in order.
 */
class ClientFailoverIT {
  private static final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aClientWhoseNodeIsKilledLosesNothing() throws Exception {
    int port = Ports.freeRange(3);
    int hzPort = Ports.clusterPort();
    String cluster = Ports.clusterName("failover");
    Vertx vertx = Vertx.vertx();
    try (JarProcess local = JarProcess.start("failover-local", "local", "--nodes", "2", "--port", "" + port,
        "--cluster-name", cluster, "--cluster-port", "" + hzPort)) {
      Await.until("the local cluster is up", Duration.ofSeconds(120), () -> {
        if (!local.process().isAlive()) throw new AssertionError("local exited:\n" + local.log());
        return local.log().contains("is up");
      });
      List<JsonObject> received = new CopyOnWriteArrayList<>();
      AtomicInteger recoveryFailures = new AtomicInteger();
      WsgridClient client = Await.result(WsgridClient.connect(vertx, "ws://127.0.0.1:" + port + "/ws", new Backoff(50, 1_000)));
      client.onRecoveryFailed(channel -> recoveryFailures.incrementAndGet());
      JsonObject first = Await.result(client.subscribe("chat.failover", received::add));
      long start = first.getLong("offset");
      String victim = client.node();
      String survivor = victim.equals("n1") ? "n2" : "n1";
      int survivorPort = port + Integer.parseInt(survivor.substring(1));

      int total = 300;
      CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < total; i++) {
          post("http://127.0.0.1:" + survivorPort + "/api/publish", new JsonObject().put("channel", "chat.failover").put("data", i));
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      Await.until("some publications arrive", Duration.ofSeconds(20), () -> received.size() >= 50);
      ProcessHandle node = local.process().children()
          .filter(p -> p.info().commandLine().orElse("").contains("--name " + victim)).findFirst().orElseThrow();
      node.destroyForcibly();
      publishing.get(60, java.util.concurrent.TimeUnit.SECONDS);
      Await.until("every publication arrives", Duration.ofSeconds(30), () -> received.size() >= total);
      Thread.sleep(300);

      assertThat(received).extracting(p -> p.getLong("offset"))
          .containsExactlyElementsOf(LongStream.rangeClosed(start + 1, start + total).boxed().toList());
      assertThat(received).extracting(p -> p.getInteger("data"))
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, total).boxed().toList());
      assertThat(client.reconnects()).isGreaterThanOrEqualTo(1);
      assertThat(client.node()).isEqualTo(survivor);
      assertThat(recoveryFailures).hasValue(0);
      Await.result(client.close());
    } finally {
      Await.result(vertx.close());
    }
  }

  private static void post(String url, JsonObject body) {
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) return;
      } catch (Exception e) {
        // the cluster is re-forming: try again
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new AssertionError("could not publish to " + url);
  }
}
