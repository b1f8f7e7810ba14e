package io.wsgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.RawWebSocket;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three real clustered nodes in one JVM, real WebSocket clients. */
class NodeClusterIT {
  private static TestNodes cluster;
  private static Node a;
  private static Node b;
  private static Node c;
  private static Vertx clients;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startCluster() {
    cluster = new TestNodes("node");
    a = cluster.start("a");
    b = cluster.start("b");
    // c has a tiny slow-consumer bound and frame limit for the limit tests
    c = cluster.start("c", 1, 1024, 64 * 1024);
    Await.until(
        "3 nodes see each other",
        Duration.ofSeconds(30),
        () -> gauge(a, MeterNames.CLUSTER_NODES) == 3 && gauge(c, MeterNames.CLUSTER_NODES) == 3);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (clients != null) Await.result(clients.close());
    if (cluster != null) cluster.close();
  }

  static double gauge(Node node, String name) {
    var g = node.registry().find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }

  static double counter(Node node, String name) {
    var f = node.registry().find(name).functionCounter();
    if (f != null) return f.count();
    var co = node.registry().find(name).counter();
    return co == null ? Double.NaN : co.count();
  }

  static WsClient connect(Node node) {
    return WsClient.connect(clients, node.settings().wsUrl());
  }

  @Test
  void connectedFrameNamesTheNode() {
    try (WsClient client = connect(b)) {
      assertThat(client.connectedFrame().getString("op")).isEqualTo("connected");
      assertThat(client.node()).isEqualTo("b");
      assertThat(client.connectedFrame().getString("client")).isNotBlank();
    }
  }

  @Test
  void publicationReachesManySubscribersOnEveryNodeOnceAndInOrder() {
    String channel = "fan.out1";
    List<WsClient> subscribers = new ArrayList<>();
    try {
      for (int i = 0; i < 30; i++) {
        WsClient s = connect(i % 2 == 0 ? a : b);
        s.subscribe(channel);
        subscribers.add(s);
      }
      try (WsClient publisher = connect(b)) {
        int count = 200;
        for (int i = 0; i < count; i++) {
          publisher.send(
              new JsonObject()
                  .put("op", "publish")
                  .put("channel", channel)
                  .put("data", new JsonObject().put("n", i)));
        }
        for (WsClient s : subscribers) {
          List<JsonObject> got = s.publications(channel, count);
          assertThat(got)
              .extracting(p -> p.getJsonObject("data").getInteger("n"))
              .containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
        }
        // exactly once: nothing more arrives
        for (WsClient s : subscribers) {
          assertThat(
                  s.poll(Duration.ofMillis(s == subscribers.get(0) ? 300 : 0))
                      .filter(f -> channel.equals(f.getString("channel"))))
              .isEmpty();
        }
      }
    } finally {
      subscribers.forEach(WsClient::close);
    }
  }

  @Test
  void httpPublishReachesSubscribersOnOtherNodes() throws Exception {
    String channel = "api.news";
    try (WsClient onA = connect(a);
        WsClient onC = connect(c)) {
      onA.subscribe(channel);
      onC.subscribe(channel);
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/api/publish"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"channel\":\"api.news\",\"data\":{\"headline\":\"up\"}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(response.body()).containsKey("offset")).isTrue();
      assertThat(onA.publications(channel, 1).get(0).getJsonObject("data").getString("headline"))
          .isEqualTo("up");
      assertThat(onC.publications(channel, 1).get(0).getJsonObject("data").getString("headline"))
          .isEqualTo("up");
    }
  }

  @Test
  void httpPublishRejectsBadBodies() throws Exception {
    for (String body :
        List.of(
            "not json",
            "{\"data\":1}",
            "{\"channel\":\"bad channel!\",\"data\":1}",
            "{\"channel\":\"ok\"}")) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(a.settings().httpUrl() + "/api/publish"))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      assertThat(new JsonObject(response.body()).getJsonObject("error").getString("message"))
          .as(body)
          .isNotBlank();
    }
  }

  @Test
  void unsubscribeStopsDeliveryAndReleasesTheNodesConsumer() {
    String channel = "unsub.test";
    try (WsClient subscriber = connect(b);
        WsClient publisher = connect(a);
        WsClient watcher = connect(a)) {
      int before = b.broker().subscribedChannels();
      subscriber.subscribe(channel);
      watcher.subscribe(channel);
      assertThat(b.broker().subscribedChannels()).isEqualTo(before + 1);
      publisher.publish(channel, "one");
      assertThat(subscriber.publications(channel, 1).get(0).getString("data")).isEqualTo("one");

      assertThat(
              subscriber
                  .request(new JsonObject().put("op", "unsubscribe").put("channel", channel))
                  .getBoolean("ok"))
          .isTrue();
      assertThat(b.broker().subscribedChannels()).isEqualTo(before);
      publisher.publish(channel, "two");
      assertThat(watcher.publications(channel, 2).get(1).getString("data")).isEqualTo("two");
      assertThat(
              subscriber
                  .poll(Duration.ofMillis(300))
                  .filter(f -> channel.equals(f.getString("channel"))))
          .isEmpty();
    }
  }

  @Test
  void closingTheLastSubscriberReleasesTheConsumer() {
    int before = b.broker().subscribedChannels();
    WsClient subscriber = connect(b);
    subscriber.subscribe("gone.soon");
    assertThat(b.broker().subscribedChannels()).isEqualTo(before + 1);
    subscriber.close();
    Await.until(
        "consumer released",
        Duration.ofSeconds(10),
        () -> b.broker().subscribedChannels() == before);
  }

  @Test
  void badInputGetsAnErrorAndHurtsNoOne() {
    String channel = "safe.room";
    try (WsClient bystander = connect(a);
        WsClient hostile = connect(a);
        WsClient publisher = connect(b)) {
      bystander.subscribe(channel);
      hostile.sendText("{not json");
      assertThat(hostile.next().getJsonObject("error").getString("code")).isEqualTo("bad_request");
      hostile.sendText("[1,2,3]");
      assertThat(hostile.next().getJsonObject("error").getString("code")).isEqualTo("bad_request");
      hostile.send(new JsonObject().put("id", 7).put("op", "explode"));
      JsonObject unknown = hostile.next();
      assertThat(unknown.getInteger("id")).isEqualTo(7);
      assertThat(unknown.getJsonObject("error").getString("code")).isEqualTo("unknown_op");
      hostile.send(
          new JsonObject().put("id", 8).put("op", "subscribe").put("channel", "no spaces allowed"));
      assertThat(hostile.next().getJsonObject("error").getString("code")).isEqualTo("bad_channel");
      hostile.send(
          new JsonObject().put("id", 9).put("op", "subscribe").put("channel", "x".repeat(129)));
      assertThat(hostile.next().getJsonObject("error").getString("code")).isEqualTo("bad_channel");
      hostile.send(new JsonObject().put("id", 10).put("op", "publish").put("channel", channel));
      assertThat(hostile.next().getJsonObject("error").getString("code")).isEqualTo("bad_request");
      hostile.send(
          new JsonObject()
              .put("id", 11)
              .put("op", "subscribe")
              .put("channel", channel)
              .put("since", "yesterday"));
      assertThat(hostile.next().getJsonObject("error").getString("code")).isEqualTo("bad_request");
      hostile.sendBinary(Buffer.buffer(new byte[] {1, 2, 3}));
      assertThat(hostile.next().getJsonObject("error").getString("code")).isEqualTo("bad_request");
      // the hostile client is still served after its mistakes
      assertThat(hostile.request(new JsonObject().put("op", "ping")).getBoolean("ok")).isTrue();

      publisher.publish(channel, "still here");
      assertThat(bystander.publications(channel, 1).get(0).getString("data"))
          .isEqualTo("still here");
    }
  }

  @Test
  void oversizedMessageClosesWith1009AndOthersStayServed() {
    String channel = "big.room";
    try (WsClient bystander = connect(c);
        WsClient hostile = connect(c);
        WsClient publisher = connect(a)) {
      bystander.subscribe(channel);
      hostile.sendText(
          "{\"op\":\"publish\",\"channel\":\"big.room\",\"data\":\"" + "x".repeat(4096) + "\"}");
      assertThat(hostile.awaitClose()).isEqualTo((short) 1009);
      publisher.publish(channel, "after");
      assertThat(bystander.publications(channel, 1).get(0).getString("data")).isEqualTo("after");
      assertThat(c.isReady()).isTrue();
    }
  }

  @Test
  void slowConsumerIsDisconnectedWithoutDelayingOthers() throws Exception {
    String channel = "firehose.x";
    double disconnectsBefore = counter(c, MeterNames.SLOW_CONSUMER_DISCONNECTS);
    // a peer with a tiny receive buffer that never reads: the node's queue for it must fill
    try (RawWebSocket slow = RawWebSocket.connect("127.0.0.1", c.settings().port(), "/ws", 4096);
        WsClient fast = connect(c);
        WsClient publisher = connect(a)) {
      assertThat(slow.readFrame().text()).contains("connected");
      slow.sendText("{\"id\":1,\"op\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      assertThat(slow.readFrame().text()).contains("\"ok\":true");
      fast.subscribe(channel);
      String payload = "y".repeat(1000);
      int count = 12_000; // ~12 MB, far past socket buffers and c's 64 KiB bound
      for (int i = 0; i < count; i++) {
        publisher.send(
            new JsonObject()
                .put("op", "publish")
                .put("channel", channel)
                .put("data", new JsonObject().put("n", i).put("pad", payload)));
      }
      List<JsonObject> got = fast.publications(channel, count);
      assertThat(got.get(count - 1).getJsonObject("data").getInteger("n")).isEqualTo(count - 1);
      Await.until(
          "slow consumer disconnected",
          Duration.ofSeconds(15),
          () -> counter(c, MeterNames.SLOW_CONSUMER_DISCONNECTS) > disconnectsBefore);
      assertThat(slow.readUntilClose()).isIn(1013, -1);
    }
  }

  @Test
  void operatorEndpointsAnswer() throws Exception {
    try (WsClient client = connect(b)) {
      client.subscribe("metrics.check");
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains(
              "wsgrid_connections{node=\"b\"}",
              "wsgrid_subscriptions{node=\"b\"}",
              "wsgrid_messages_received_total{node=\"b\"}",
              "wsgrid_messages_delivered_total{node=\"b\"}",
              "wsgrid_publish_delivery_seconds_bucket",
              "wsgrid_cluster_nodes",
              "wsgrid_slow_consumer_disconnects_total",
              "jvm_memory_used_bytes",
              "vertx_http_server_");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/health"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/ready")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      HttpResponse<String> plain =
          http.send(
              HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/ws")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(400);
      assertThat(plain.body()).contains("WebSocket upgrade");
    }
  }

  @Test
  void aNodeLeavingIsSeenByTheOthers() throws Exception {
    {
      // a fourth node in the SAME cluster, then stopped
      Node d = cluster.start("d");
      Await.until("4 nodes", Duration.ofSeconds(30), () -> gauge(a, MeterNames.CLUSTER_NODES) == 4);
      try (WsClient onD = connect(d)) {
        cluster.nodes().remove(d);
        d.stop();
        assertThat(onD.awaitClose()).isEqualTo((short) 1001);
        assertThat(onD.closeReason()).contains("reconnect");
      }
      assertThat(d.awaitStopped(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      Await.until(
          "3 nodes again",
          Duration.ofSeconds(30),
          () -> gauge(a, MeterNames.CLUSTER_NODES) == 3 && gauge(b, MeterNames.CLUSTER_NODES) == 3);
    }
  }
}
