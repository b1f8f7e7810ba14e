package io.wsgrid.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Blocking HTTP calls the process-level tests make to nodes and edges. */
public final class Http {
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  /**
   * One publication by {@code POST url}; never retried (a retry after a slow success would publish
   * twice).
   */
  public static void publish(String url, JsonObject body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200)
        throw new AssertionError(
            "publish answered " + response.statusCode() + ": " + response.body());
    } catch (IOException e) {
      throw new AssertionError("publish failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The node ids in the edge's {@code /admin/nodes}; empty when it does not answer. */
  public static List<String> nodesSeen(String edgeHttp) {
    try {
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(edgeHttp + "/admin/nodes")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return new JsonObject(body)
          .getJsonArray("nodes").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    } catch (Exception e) {
      return List.of();
    }
  }

  /**
   * The sum of the samples of {@code name} carrying {@code labels} (name, value pairs) in {@code
   * base}/metrics; 0 when there is none (see {@link PrometheusSamples#sum}).
   */
  public static double metric(String base, String name, String... labels) {
    try {
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return PrometheusSamples.sum(body, name, labels);
    } catch (IOException e) {
      throw new AssertionError("cannot scrape " + base + "/metrics: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
