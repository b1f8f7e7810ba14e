package io.wsgrid.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One order per channel across publishers on different nodes, history, and recovery with since. */
class HistoryIT {
  private static TestNodes cluster;
  private static Node a;
  private static Node b;
  private static Node c;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    cluster = new TestNodes("history");
    a = cluster.start("a");
    b = cluster.start("b");
    c = cluster.start("c");
    Await.until(
        "3 nodes",
        Duration.ofSeconds(30),
        () -> a.hazelcast().getCluster().getMembers().size() == 3);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (clients != null) Await.result(clients.close());
    if (cluster != null) cluster.close();
  }

  private static WsClient on(Node node) {
    return WsClient.connect(clients, node.settings().wsUrl());
  }

  @Test
  void twoPublishersOnTwoNodesGiveEverySubscriberTheSameSequence() throws Exception {
    String channel = "race.one";
    List<WsClient> subscribers = new ArrayList<>();
    try (WsClient p1 = on(a);
        WsClient p2 = on(b)) {
      for (Node node : List.of(a, b, c)) {
        for (int i = 0; i < 2; i++) {
          WsClient s = on(node);
          s.subscribe(channel);
          subscribers.add(s);
        }
      }
      int each = 300;
      CompletableFuture<Void> one =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < each; i++)
                  p1.send(
                      new JsonObject()
                          .put("op", "publish")
                          .put("channel", channel)
                          .put("data", "a" + i));
              });
      CompletableFuture<Void> two =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < each; i++)
                  p2.send(
                      new JsonObject()
                          .put("op", "publish")
                          .put("channel", channel)
                          .put("data", "b" + i));
              });
      CompletableFuture.allOf(one, two).join();
      List<Object> reference = null;
      for (WsClient s : subscribers) {
        List<JsonObject> got = s.publications(channel, 2 * each);
        List<Long> offsets = got.stream().map(p -> p.getLong("offset")).toList();
        long first = offsets.get(0);
        assertThat(offsets)
            .containsExactlyElementsOf(LongStream.range(first, first + 2 * each).boxed().toList());
        List<Object> data = got.stream().map(p -> p.getValue("data")).toList();
        if (reference == null) reference = data;
        assertThat(data).as("same order on every subscriber").containsExactlyElementsOf(reference);
      }
      // each publisher's own order is kept inside the one order
      List<Object> fromA = reference.stream().filter(d -> d.toString().startsWith("a")).toList();
      assertThat(fromA)
          .containsExactlyElementsOf(
              LongStream.range(0, each).mapToObj(i -> (Object) ("a" + i)).toList());
    } finally {
      subscribers.forEach(WsClient::close);
    }
  }

  @Test
  void aClientThatReconnectsWithSinceGetsWhatItMissedOnceAndInOrder() {
    String channel = "chat.recover";
    try (WsClient publisher = on(b)) {
      JsonObject position;
      long lastSeen;
      try (WsClient first = on(a)) {
        position = first.subscribe(channel);
        assertThat(position.getString("epoch")).isNotBlank();
        for (int i = 0; i < 5; i++) publisher.publish(channel, "before" + i);
        List<JsonObject> got = first.publications(channel, 5);
        lastSeen = got.get(4).getLong("offset");
      }
      for (int i = 0; i < 7; i++) publisher.publish(channel, "missed" + i);
      try (WsClient again = on(c)) {
        // publications keep flowing while it recovers: the seam must have no gap and no repeat
        CompletableFuture<Void> live =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < 20; i++)
                    publisher.send(
                        new JsonObject()
                            .put("op", "publish")
                            .put("channel", channel)
                            .put("data", "live" + i));
                });
        JsonObject reply =
            again.request(
                new JsonObject()
                    .put("op", "subscribe")
                    .put("channel", channel)
                    .put(
                        "since",
                        new JsonObject()
                            .put("offset", lastSeen)
                            .put("epoch", position.getString("epoch"))));
        assertThat(reply.getBoolean("recovered")).isTrue();
        assertThat(reply.getString("epoch")).isEqualTo(position.getString("epoch"));
        live.join();
        List<JsonObject> got = again.publications(channel, 27);
        assertThat(got)
            .extracting(p -> p.getLong("offset"))
            .containsExactlyElementsOf(
                LongStream.rangeClosed(lastSeen + 1, lastSeen + 27).boxed().toList());
        assertThat(got.subList(0, 7))
            .extracting(p -> p.getString("data"))
            .containsExactly(
                "missed0", "missed1", "missed2", "missed3", "missed4", "missed5", "missed6");
        assertThat(
                again
                    .poll(Duration.ofMillis(300))
                    .filter(f -> channel.equals(f.getString("channel"))))
            .isEmpty();
      }
    }
  }

  @Test
  void recoveryIsRefusedHonestly() {
    try (WsClient client = on(a);
        WsClient publisher = on(b)) {
      publisher.publish("chat.epochs", "x");
      JsonObject wrongEpoch =
          client.request(
              new JsonObject()
                  .put("op", "subscribe")
                  .put("channel", "chat.epochs")
                  .put("since", new JsonObject().put("offset", 0).put("epoch", "not-the-epoch")));
      assertThat(wrongEpoch.getBoolean("recovered")).isFalse();

      publisher.publish("nohistory.x", "y");
      JsonObject noHistory =
          client.request(
              new JsonObject()
                  .put("op", "subscribe")
                  .put("channel", "nohistory.x")
                  .put("since", new JsonObject().put("offset", 0).put("epoch", "e")));
      assertThat(noHistory.getBoolean("recovered")).isFalse();
    }
  }

  @Test
  void historyTooShortSaysNotRecovered() {
    String channel = "chat.long";
    try (WsClient publisher = on(a);
        WsClient client = on(b)) {
      String epoch = client.subscribe(channel).getString("epoch");
      client.close();
      for (int i = 0; i < 1_050; i++)
        publisher.send(
            new JsonObject().put("op", "publish").put("channel", channel).put("data", i));
      assertThat(publisher.publish(channel, "last").getLong("offset")).isEqualTo(1_050L);
      try (WsClient late = on(c)) {
        JsonObject reply =
            late.request(
                new JsonObject()
                    .put("op", "subscribe")
                    .put("channel", channel)
                    .put("since", new JsonObject().put("offset", 0).put("epoch", epoch)));
        assertThat(reply.getBoolean("recovered")).isFalse();
        assertThat(reply.getLong("offset")).isEqualTo(1_050L);
      }
    }
  }

  @Test
  void historySurvivesTheCrashOfAMember() throws Exception {
    String channel = "chat.survive";
    Node d = cluster.start("d");
    try (WsClient publisher = on(d);
        WsClient watcher = on(a)) {
      String epoch = watcher.subscribe(channel).getString("epoch");
      for (int i = 0; i < 50; i++) publisher.publish(channel, i);
      watcher.publications(channel, 50);
      cluster.nodes().remove(d);
      d.hazelcast().getLifecycleService().terminate(); // a crash: no graceful migration
      d.stop();
      Await.until(
          "3 members",
          Duration.ofSeconds(30),
          () -> a.hazelcast().getCluster().getMembers().size() == 3);
      try (WsClient late = on(b)) {
        JsonObject reply =
            late.request(
                new JsonObject()
                    .put("op", "subscribe")
                    .put("channel", channel)
                    .put("since", new JsonObject().put("offset", 0).put("epoch", epoch)));
        assertThat(reply.getBoolean("recovered")).isTrue();
        assertThat(reply.getString("epoch")).isEqualTo(epoch);
        assertThat(late.publications(channel, 49))
            .extracting(p -> p.getLong("offset"))
            .containsExactlyElementsOf(LongStream.rangeClosed(1, 49).boxed().toList());
      }
    }
  }
}
