package io.wsgrid.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.edge.Edge;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.PrometheusSamples;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code conf/grafana/wsgrid-dashboard.json} parses, and every metric its queries name is in a live
 * scrape of a node or the edge: a renamed meter cannot silently empty a panel.
 */
class GrafanaDashboardIT {
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:wsgrid|jvm|vertx|process)_[a-z0-9_]+)");
  private static final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyQueriedMetricExists() throws Exception {
    JsonObject dashboard =
        new JsonObject(Files.readString(Path.of("conf/grafana/wsgrid-dashboard.json")));
    Set<String> queried = new TreeSet<>();
    JsonArray panels = dashboard.getJsonArray("panels");
    assertThat(panels).isNotEmpty();
    for (Object panel : panels) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets")) {
        Matcher m = METRIC.matcher(((JsonObject) target).getString("expr"));
        while (m.find()) queried.add(m.group(1));
      }
    }
    assertThat(queried)
        .contains(
            "wsgrid_connections",
            "wsgrid_publish_delivery_seconds_bucket",
            "wsgrid_edge_routed_total",
            "jvm_memory_used_bytes");

    Vertx vertx = Vertx.vertx();
    try (TestNodes cluster = new TestNodes("grafana")) {
      Node node = cluster.start("a");
      Node other = cluster.start("b");
      Edge edge = cluster.startEdge("edge", "least-connections");
      Await.until(
          "the edge sees the nodes",
          Duration.ofSeconds(30),
          () -> edge.view().snapshot().size() == 2);
      // A subscriber on b and a publisher on a: the publication crosses the event bus (its meters
      // exist).
      WsClient subscriber = WsClient.connect(vertx, other.settings().wsUrl());
      subscriber.subscribe("chat.grafana");
      WsClient client =
          WsClient.connect(
              vertx, edge.settings().url()); // routes one socket: the routed counter exists
      assertThat(client.node()).isEqualTo("a");
      client.request(new JsonObject().put("op", "subscribe").put("channel", "chat.grafana"));
      client.request(
          new JsonObject().put("op", "publish").put("channel", "chat.grafana").put("data", 1));
      subscriber.publications("chat.grafana", 1);
      // GC meters appear with the first collection; the nodes run in this JVM, so collect once.
      System.gc();
      Await.until(
          "a GC pause is recorded",
          Duration.ofSeconds(10),
          () ->
              scrapeNames(node.settings().httpUrl() + "/metrics")
                  .contains("jvm_gc_pause_seconds_sum"));
      Set<String> scraped = new TreeSet<>();
      scraped.addAll(names(node.settings().httpUrl() + "/metrics"));
      scraped.addAll(names("http://127.0.0.1:" + edge.settings().port() + "/metrics"));
      assertThat(scraped).as("metrics a node and the edge expose").containsAll(queried);
      System.out.println(
          "grafana dashboard: "
              + panels.size()
              + " panels, "
              + queried.size()
              + " metrics, all in a live scrape: "
              + queried);
      client.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static Set<String> scrapeNames(String url) {
    try {
      return names(url);
    } catch (Exception e) {
      return Set.of();
    }
  }

  private static Set<String> names(String url) throws Exception {
    String body =
        http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return PrometheusSamples.names(body);
  }
}
