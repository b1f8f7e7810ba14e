package io.wsgrid.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** presence lists the subscribers of a channel across nodes; a dead node's entries go away. */
class PresenceIT {

  private static JsonArray presence(WsClient client, String channel) {
    JsonObject reply =
        client.request(new JsonObject().put("op", "presence").put("channel", channel));
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    return reply.getJsonArray("clients");
  }

  @Test
  void presenceFollowsSubscriptionsAndNodeDeaths() throws Exception {
    Vertx clients = Vertx.vertx();
    try (TestNodes cluster = new TestNodes("presence")) {
      Node a = cluster.start("a");
      Node b = cluster.start("b");
      Await.until(
          "2 members",
          Duration.ofSeconds(30),
          () -> a.hazelcast().getCluster().getMembers().size() == 2);
      String channel = "room.presence";
      try (WsClient onA = WsClient.connect(clients, a.settings().wsUrl());
          WsClient onB1 = WsClient.connect(clients, b.settings().wsUrl());
          WsClient onB2 = WsClient.connect(clients, b.settings().wsUrl())) {
        for (WsClient c : List.of(onA, onB1, onB2)) c.subscribe(channel);
        JsonArray all = presence(onA, channel);
        assertThat(all.stream().map(o -> ((JsonObject) o).getString("client")).toList())
            .containsExactlyInAnyOrder(
                onA.connectedFrame().getString("client"),
                onB1.connectedFrame().getString("client"),
                onB2.connectedFrame().getString("client"));
        assertThat(all.stream().map(o -> ((JsonObject) o).getString("node")).toList())
            .containsExactlyInAnyOrder("a", "b", "b");

        onB2.request(new JsonObject().put("op", "unsubscribe").put("channel", channel));
        Await.until(
            "the unsubscribed client leaves presence",
            Duration.ofSeconds(10),
            () -> presence(onA, channel).size() == 2);

        cluster.nodes().remove(b);
        b.hazelcast().getLifecycleService().terminate(); // b dies without cleaning up
        b.stop();
        Await.until(
            "b's entries disappear",
            Duration.ofSeconds(20),
            () -> presence(onA, channel).size() == 1);
        assertThat(presence(onA, channel).getJsonObject(0).getString("node")).isEqualTo("a");
      }
    } finally {
      Await.result(clients.close());
    }
  }
}
