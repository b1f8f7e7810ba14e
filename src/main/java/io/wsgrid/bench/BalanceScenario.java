package io.wsgrid.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * N connects through an edge, held open: the share of sockets per node (from each socket's {@code
 * connected} frame) and max/mean. With {@code assign}, each client asks {@code GET /assign} first
 * and connects to the node it names (the edge then holds no socket, so N can pass one process's
 * file limit: a tunnel costs the edge two descriptors).
 */
public final class BalanceScenario {
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private BalanceScenario() {}

  public static Report run(
      Vertx vertx, String edgeUrl, int count, int concurrency, int sources, boolean assign)
      throws Exception {
    Wire wire = new WsgridWire();
    Connector connector = new Connector(vertx, wire, sources);
    List<BenchSocket> sockets = new ArrayList<>();
    try (Progress p =
        new Progress(
            vertx,
            "balance",
            () ->
                connector.opened.get()
                    + "/"
                    + count
                    + " open, "
                    + connector.failed.get()
                    + " failed")) {
      if (!assign) {
        sockets.addAll(
            FanoutScenario.await(connector.open(List.of(edgeUrl), count, concurrency), 600));
      } else {
        String assignUrl = edgeUrl.replaceFirst("^ws", "http").replaceFirst("/ws$", "/assign");
        // Ask, connect, ask again: each answer sees the sockets opened before it, as real clients
        // would.
        for (int i = 0; i < count; i += concurrency) {
          int batch = Math.min(concurrency, count - i);
          List<String> urls = new ArrayList<>();
          for (int k = 0; k < batch; k++) {
            String body =
                http.send(
                        HttpRequest.newBuilder(URI.create(assignUrl)).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body();
            urls.add(new JsonObject(body).getString("url"));
          }
          sockets.addAll(FanoutScenario.await(connector.open(urls, batch, batch), 120));
        }
      }
    }
    Map<String, Integer> perNode = new TreeMap<>();
    for (BenchSocket socket : sockets)
      perNode.merge(String.valueOf(socket.node()), 1, Integer::sum);
    double mean = perNode.values().stream().mapToInt(Integer::intValue).average().orElse(0);
    int max = perNode.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    Report report =
        new Report("balance")
            .put("sockets", count)
            .put("mode", assign ? "assign" : "proxy")
            .put("connected", sockets.size())
            .put("failures", connector.failed.get())
            .put("per_node", new JsonObject(new TreeMap<>(perNode)).encode())
            .put("max_over_mean", mean == 0 ? 0 : Math.round(max / mean * 1000) / 1000.0);
    FanoutScenario.await(connector.closeAll(sockets).compose(v -> connector.close()), 120);
    return report;
  }
}
