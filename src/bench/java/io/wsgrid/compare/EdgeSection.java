package io.wsgrid.compare;

import io.wsgrid.bench.FanoutScenario;
import io.wsgrid.bench.Report;
import io.wsgrid.bench.Wire;
import io.wsgrid.compare.Connects.Proxy;
import io.wsgrid.compare.Sweeps.Contender;
import io.wsgrid.compare.Sweeps.Swept;
import java.util.List;
import java.util.Locale;

/**
 * The wsgrid edge against HAProxy (mode tcp, leastconn) in front of the same 3 nodes: fan-out
 * throughput and connects/s, taking turns (targets: 0.9× HAProxy's), the proxy's CPU per connect,
 * and the p99 latency each adds to the same publications (target: ≤ 1 ms).
 */
final class EdgeSection implements Section {
  /**
   * The direct path's p50 and p99 (ms) and what each proxy added to them: medians over runs of the
   * differences measured within each run.
   */
  private record Added(
      double directP50,
      double directP99,
      double edgeAddsP50,
      double edgeAddsP99,
      double haproxyAddsP50,
      double haproxyAddsP99) {}

  @Override
  public String name() {
    return "edge";
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    Results results = c.results();
    List<String> nodes = c.wsgridCluster();
    String edge =
        c.servers().wsgridEdge("edge", p + 30, p + 60, "bench-cluster", "least-connections");
    String haproxy = c.servers().haproxy("haproxy", p + 31, List.of(p + 11, p + 12, p + 13));
    List<Swept> proxied =
        c.sweeps()
            .interleaved(
                List.of(
                    new Contender(
                        "via wsgrid edge",
                        "wsgrid",
                        List.of(edge),
                        50,
                        List.of("edge", "n1", "n2", "n3")),
                    new Contender(
                        "via HAProxy",
                        "wsgrid",
                        List.of(haproxy),
                        50,
                        List.of("haproxy", "n1", "n2", "n3"))));
    double viaEdge = proxied.get(0).deliveries();
    double viaHaproxy = proxied.get(1).deliveries();
    results.target(
        "edge tunnel: fan-out throughput (deliveries/s at p99 < 50 ms)",
        Results.fmt(viaEdge),
        Results.fmt(viaHaproxy),
        viaEdge / viaHaproxy,
        0.9);
    results.cpu("edge tunnel fan-out (proxy and nodes)", proxied.get(0), proxied.get(1), "HAProxy");

    int sockets = c.settings().quick() ? 500 : 3_000;
    List<Report> connected =
        Connects.interleaved(
            c,
            List.of(new Proxy("edge", edge, "edge"), new Proxy("HAProxy", haproxy, "haproxy")),
            List.of("n1", "n2", "n3"),
            sockets);
    Report viaEdgeConnects = connected.get(0);
    Report viaHaproxyConnects = connected.get(1);
    results.target(
        "edge tunnel: connects/s (" + sockets + " sockets, 100 in flight)",
        Results.fmt(viaEdgeConnects.number("connects_per_s")),
        Results.fmt(viaHaproxyConnects.number("connects_per_s")),
        viaEdgeConnects.number("connects_per_s") / viaHaproxyConnects.number("connects_per_s"),
        0.9);
    results.informative(
        "edge tunnel: the proxy's own CPU per connect (handshake and close; lower is better); machine busy",
        String.format(
            Locale.ROOT,
            "%.0f µs; %.0f %%",
            viaEdgeConnects.number("proxy_cpu_us_per_connect"),
            viaEdgeConnects.number("machine_busy") * 100),
        String.format(
            Locale.ROOT,
            "%.0f µs (HAProxy); %.0f %%",
            viaHaproxyConnects.number("proxy_cpu_us_per_connect"),
            viaHaproxyConnects.number("machine_busy") * 100),
        String.format(
            Locale.ROOT,
            "%.2f× the peer's",
            viaEdgeConnects.number("proxy_cpu_us_per_connect")
                / viaHaproxyConnects.number("proxy_cpu_us_per_connect")));

    // Added latency: one moderate load whose subscribers are a third direct, a third via the edge,
    // a third via HAProxy, so each publication reaches the three paths at the same moment.
    Comparison.Shape shape = c.shape();
    double top = Math.min(c.clusterDeliveries() > 0 ? c.clusterDeliveries() : viaEdge, viaHaproxy);
    double rate = Math.max(50, top / shape.subscribers() * shape.channels() * 0.3);
    Added added = addedLatency(c, nodes, edge, haproxy, rate);
    results.row(
        "edge tunnel: added p99 latency at "
            + Math.round(rate)
            + " publications/s (the same publications, direct and through each proxy)",
        String.format(
            Locale.ROOT,
            "%+.2f ms (direct p99 %.2f ms; p50 %+.2f ms)",
            added.edgeAddsP99(),
            added.directP99(),
            added.edgeAddsP50()),
        String.format(
            Locale.ROOT,
            "%+.2f ms (HAProxy; p50 %+.2f ms)",
            added.haproxyAddsP99(),
            added.haproxyAddsP50()),
        "—",
        "≤ 1 ms",
        added.edgeAddsP99() <= 1,
        String.format(Locale.ROOT, "%+.2f ms against ≤ 1 ms", added.edgeAddsP99()));
    c.servers().stop("haproxy");
    c.servers().stop("edge");
  }

  /**
   * Latency through each proxy against going direct, measured on the same publications: the
   * publishers connect to the nodes, the subscribers a third each direct, via the edge, via HAProxy
   * (a 1 s warm-up, then 6 s measured, {@code runs} times).
   */
  private static Added addedLatency(
      Comparison c, List<String> nodes, String edge, String haproxy, double rate) throws Exception {
    int runs = c.settings().runs();
    Comparison.Shape shape = c.shape();
    double[][] q = new double[6][runs];
    String[] names = {"direct", "via edge", "via HAProxy"};
    for (int run = 0; run < runs; run++) {
      try (FanoutScenario scenario =
          new FanoutScenario(
              c.vertx(),
              Wire.of("wsgrid"),
              new FanoutScenario.Settings(
                  nodes,
                  List.of(nodes, List.of(edge), List.of(haproxy)),
                  shape.subscribers(),
                  shape.channels(),
                  shape.publishers(),
                  shape.size(),
                  1,
                  200,
                  "bench.l" + run + "."))) {
        scenario.setup();
        scenario.step(rate, 1); // warm-up, not counted
        Report r = scenario.step(rate, c.settings().quick() ? 2 : 6);
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < 3; k++) {
          q[2 * k][run] = r.number("path" + (k + 1) + "_latency_p50_ms");
          q[2 * k + 1][run] = r.number("path" + (k + 1) + "_latency_p99_ms");
          line.append(
              String.format(
                  Locale.ROOT,
                  "%s p50 %.2f p99 %.2f p99.9 %s ms; ",
                  names[k],
                  q[2 * k][run],
                  q[2 * k + 1][run],
                  r.get("path" + (k + 1) + "_latency_p999_ms")));
        }
        c.results()
            .log(
                "  same publications at %d/s run %d: %s%s deliveries/s",
                Math.round(rate), run + 1, line, r.get("deliveries_per_s"));
      }
    }
    return new Added(
        Comparison.median(q[0]),
        Comparison.median(q[1]),
        Comparison.median(minus(q[2], q[0])),
        Comparison.median(minus(q[3], q[1])),
        Comparison.median(minus(q[4], q[0])),
        Comparison.median(minus(q[5], q[1])));
  }

  private static double[] minus(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
    return d;
  }
}
