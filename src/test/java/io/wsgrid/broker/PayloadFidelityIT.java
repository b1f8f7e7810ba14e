package io.wsgrid.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.PublicationRecorder;
import io.wsgrid.testing.PublicationRecorder.Received;
import io.wsgrid.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every subscriber, on the publisher's node and on another, receives {@code data} byte for byte as
 * it was published.
 */
class PayloadFidelityIT {
  /**
   * Values a tree parser changes: long decimals, big numbers, 1e400, escapes, surrogate pairs,
   * white space.
   */
  static final List<String> VALUES =
      List.of(
          "0.10000000000000000555",
          "1796279589256.123",
          "1e400",
          "-0.0",
          "123456789012345678901234567890",
          "\"\\u00e9\\ud83d\\ude00 \\\" \\/ \\n\"",
          "\"é😀\"",
          "{ \"b\" : [ 1 , 2.50 ,\ttrue ] ,\"a\":null }",
          "[]",
          "\"\"",
          "{\"x\":1e-7}");

  private static TestNodes cluster;
  private static Node a;
  private static Node b;
  private static Vertx vertx;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    cluster = new TestNodes("fidelity");
    a = cluster.start("a");
    b = cluster.start("b");
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

  @Test
  void dataArrivesExactlyAsPublishedOverWebSocketAndHttpLocalAndAcrossNodes() throws Exception {
    try (PublicationRecorder onA = PublicationRecorder.connect(vertx, a.settings().wsUrl());
        PublicationRecorder onB = PublicationRecorder.connect(vertx, b.settings().wsUrl());
        PublicationRecorder publisher = PublicationRecorder.connect(vertx, a.settings().wsUrl())) {
      onA.subscribeAll(List.of("exact.ws", "exact.http"));
      onB.subscribeAll(List.of("exact.ws", "exact.http"));
      for (String value : VALUES) publisher.publishRaw("exact.ws", value);
      publisher.awaitOk(VALUES.size(), Duration.ofSeconds(30));
      for (String value : VALUES) {
        String body = "{\"channel\":\"exact.http\",\"data\":" + value + "}";
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/api/publish"))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      }
      for (PublicationRecorder subscriber : List.of(onA, onB)) {
        for (String channel : List.of("exact.ws", "exact.http")) {
          Await.until(
              channel + " at a subscriber",
              Duration.ofSeconds(20),
              () -> subscriber.of(channel).size() >= VALUES.size());
          assertThat(subscriber.of(channel))
              .extracting(Received::data)
              .containsExactlyElementsOf(VALUES);
        }
      }
    }
  }
}
