package io.wsgrid.compare;

import io.vertx.core.json.JsonObject;
import io.wsgrid.bench.BalanceScenario;
import io.wsgrid.bench.Report;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Sockets placed by {@code GET /assign} over the 3 shared wsgrid nodes and a fourth, held, for
 * least-connections and power-of-two (target: the busiest node ≤ 1.05× the mean).
 */
final class BalanceSection implements Section {
  private static final double TARGET = 1.05;

  @Override
  public String name() {
    return "balance";
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    Servers servers = c.servers();
    c.wsgridCluster();
    servers.wsgridNode("n4", p + 14, p + 60, "bench-cluster", 0);
    String lc = servers.wsgridEdge("edge-lc", p + 32, p + 60, "bench-cluster", "least-connections");
    String p2c = servers.wsgridEdge("edge-p2c", p + 33, p + 60, "bench-cluster", "power-of-two");
    awaitNodes(p + 32, 4);
    int sockets = c.settings().quick() ? 1_000 : 10_000;
    for (List<String> strategy :
        List.of(List.of("least-connections", lc), List.of("power-of-two", p2c))) {
      Report r =
          c.median(
              "balance " + strategy.get(0),
              "max_over_mean",
              () -> BalanceScenario.run(c.vertx(), strategy.get(1), sockets, 200, 1, true));
      double ratio = r.number("max_over_mean");
      c.results()
          .row(
              "balance, " + sockets + " connects over 4 nodes, " + strategy.get(0) + ": max/mean",
              String.valueOf(ratio),
              "per node " + r.get("per_node"),
              "—",
              "≤ " + TARGET,
              ratio <= TARGET,
              ratio + " against ≤ " + TARGET);
    }
  }

  /** Waits until the edge on {@code edgePort} sees {@code count} nodes in the registry. */
  private static void awaitNodes(int edgePort, int count) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String body =
          http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + edgePort + "/admin/nodes"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      if (new JsonObject(body).getJsonArray("nodes").size() >= count) return;
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the edge did not see " + count + " nodes within 60 s: see target/bench-logs/");
  }
}
