package io.wsgrid.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Channel state follows the live channels: a channel nobody subscribes to goes after the idle time,
 * one with history when its history has aged out too, and one with subscribers stays.
 */
class ChannelExpiryIT {
  private static final int IDLE_SECONDS = 2;
  private static final int HISTORY_SECONDS = 5;
  private static TestNodes cluster;
  private static Node a;
  private static Node b;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    ChannelPolicies policies =
        new ChannelPolicies(
            List.of(new ChannelPolicies.Policy("aged.*", 10, HISTORY_SECONDS)), IDLE_SECONDS);
    cluster = new TestNodes("expiry");
    a = cluster.start("a", policies);
    b = cluster.start("b", policies);
    Await.until(
        "2 members",
        Duration.ofSeconds(30),
        () -> a.hazelcast().getCluster().getMembers().size() == 2);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) Await.result(vertx.close());
    if (cluster != null) cluster.close();
  }

  /**
   * Channels the whole log holds, as the nodes' sweeps last counted them, less each node's own
   * probe channel (followed for the node's whole life, see LogBroker's self-check).
   */
  private static double logChannels() {
    return cluster.nodes().stream()
            .mapToDouble(n -> n.registry().find(MeterNames.LOG_CHANNELS).gauge().value())
            .sum()
        - cluster.nodes().size();
  }

  private static JsonObject subscribeSince(
      WsClient client, String channel, long offset, String epoch) {
    return client.request(
        new JsonObject()
            .put("op", "subscribe")
            .put("channel", channel)
            .put("since", new JsonObject().put("offset", offset).put("epoch", epoch)));
  }

  @Test
  void stateGoesAfterTheIdleTimeAndHistoryAfterItsAge() {
    try (WsClient publisher = WsClient.connect(vertx, a.settings().wsUrl());
        WsClient watcher = WsClient.connect(vertx, b.settings().wsUrl())) {
      String epoch = watcher.subscribe("aged.one").getString("epoch");
      watcher.request(new JsonObject().put("op", "unsubscribe").put("channel", "aged.one"));
      publisher.publish("aged.one", "kept");
      publisher.publish("plain.one", "gone soon");
      watcher.subscribe("plain.kept");
      publisher.publish("plain.kept", "first");
      Await.until("3 channels counted", Duration.ofSeconds(20), () -> logChannels() == 3);
      long start = System.nanoTime();

      // The channel without history goes after the idle time; the subscribed one and the one with
      // history stay.
      Await.until("the idle channel to go", Duration.ofSeconds(20), () -> logChannels() == 2);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(Duration.ofSeconds(HISTORY_SECONDS));
      JsonObject recovered = subscribeSince(watcher, "aged.one", -1, epoch);
      assertThat(recovered.getBoolean("recovered")).isTrue();
      assertThat(recovered.getString("epoch")).isEqualTo(epoch);
      assertThat(watcher.publications("aged.one", 1).get(0).getString("data")).isEqualTo("kept");
      watcher.request(new JsonObject().put("op", "unsubscribe").put("channel", "aged.one"));

      // History past its age: the channel goes too, and comes back as a new epoch.
      Await.until(
          "the channel with history to go", Duration.ofSeconds(30), () -> logChannels() == 1);
      JsonObject anew = subscribeSince(watcher, "aged.one", 0, epoch);
      assertThat(anew.getBoolean("recovered")).isFalse();
      assertThat(anew.getString("epoch")).isNotEqualTo(epoch);

      // The subscribed channel kept its state all along: its next offset follows on.
      assertThat(publisher.publish("plain.kept", "second").getLong("offset")).isEqualTo(1L);
      JsonObject second = watcher.publications("plain.kept", 1).get(0);
      assertThat(second.getLong("offset")).isEqualTo(1L);
      assertThat(second.getString("data")).isEqualTo("second");
    }
  }
}
