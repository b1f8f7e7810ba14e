package io.wsgrid.testing;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Blocking HTTP calls the process-level tests make to nodes and edges. */
public final class Http {
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  /** One publication by {@code POST url}; never retried (a retry after a slow success would publish twice). */
  public static void publish(String url, JsonObject body) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) throw new AssertionError("publish answered " + response.statusCode() + ": " + response.body());
    } catch (java.io.IOException e) {
      throw new AssertionError("publish failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The node ids in the edge's {@code /admin/nodes}; empty when it does not answer. */
  public static List<String> nodesSeen(String edgeHttp) {
    try {
      String body = http.send(HttpRequest.newBuilder(URI.create(edgeHttp + "/admin/nodes")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return new JsonObject(body).getJsonArray("nodes").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    } catch (Exception e) {
      return List.of();
    }
  }

  /** Sum of the samples in {@code base}/metrics whose line starts with {@code prefix} (a name and its first labels). */
  public static double metricSum(String base, String prefix) {
    try {
      String body = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      return body.lines().filter(l -> l.startsWith(prefix))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    } catch (java.io.IOException e) {
      throw new AssertionError("cannot scrape " + base + "/metrics: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
