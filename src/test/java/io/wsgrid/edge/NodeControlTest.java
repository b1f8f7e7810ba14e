package io.wsgrid.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.testing.Await;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The edge's requests to nodes on a real (local) event bus: answers, and each way of failing, said
 * plainly.
 */
class NodeControlTest {
  private final Vertx vertx = Vertx.vertx();
  private final NodeControl control = new NodeControl(vertx.eventBus());

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void eachRequestGoesToTheNodesOwnAddress() {
    Await.result(
        vertx
            .eventBus()
            .consumer(
                NodeEntry.statsAddress("n1"), m -> m.reply(new JsonObject().put("connections", 7)))
            .completion());
    Await.result(
        vertx
            .eventBus()
            .consumer(NodeEntry.drainAddress("n1"), m -> m.reply("draining"))
            .completion());
    Await.result(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                NodeEntry.shedAddress("n1"),
                m -> m.reply(new JsonObject().put("shedding", m.body().getLong("count"))))
            .completion());
    assertThat(Await.result(control.stats("n1")).getLong("connections")).isEqualTo(7);
    assertThat(Await.result(control.drain("n1"))).isEqualTo("draining");
    assertThat(Await.result(control.shed("n1", 4)).getLong("shedding")).isEqualTo(4);
  }

  @Test
  void aNodeThatDoesNotAnswerInTimeFailsSayingSo() {
    Await.result(vertx.eventBus().consumer(NodeEntry.statsAddress("slow"), m -> {}).completion());
    long started = System.nanoTime();
    String why = failure(control.stats("slow"));
    assertThat(why)
        .isEqualTo(
            "node slow did not answer the stats request within "
                + NodeControl.STATS_TIMEOUT_MS
                + " ms (overloaded, paused, or cut off from this edge? see its log and GET /admin/nodes)");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(NodeControl.STATS_TIMEOUT_MS);
  }

  @Test
  void aNodeWithNoConsumerAndOneThatFailsAreToldApart() {
    assertThat(failure(control.drain("gone")))
        .startsWith("node gone takes no drain requests on the event bus");
    Await.result(
        vertx
            .eventBus()
            .consumer(NodeEntry.statsAddress("broken"), m -> m.fail(500, "metrics closed"))
            .completion());
    assertThat(failure(control.stats("broken")))
        .isEqualTo("node broken failed the stats request: metrics closed");
  }

  private static String failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause().getMessage();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the request succeeded");
  }
}
