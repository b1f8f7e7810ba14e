package io.wsgrid.compare;

import io.vertx.core.Vertx;
import io.wsgrid.bench.ConnectScenario;
import io.wsgrid.bench.Report;
import io.wsgrid.bench.Wire;
import java.util.ArrayList;
import java.util.List;

/** Connect rates through proxies taking turns, with each proxy's CPU per connect. */
final class Connects {
  private static final int WARMUP_RUNS = 24;

  /** A proxy to connect through: its label, its URL, the name of its process in {@link Servers}. */
  record Proxy(String label, String url, String process) {}

  private Connects() {}

  /**
   * Connect runs through each proxy, taking turns; the median run of each, with the proxy's CPU per
   * connect (the handshake and the close that ends each run) and how busy the machine was. Warm-up
   * rounds first, not counted, until two rounds in a row are quiet (at least 3 rounds, at most
   * {@link #WARMUP_RUNS}): in a quiet round the JIT compilers of each proxy, of the nodes behind it
   * and of this load generator took under 10 % of a core, and no target's connect rate rose more
   * than 10 % above its best earlier round. The sweeps opened only 1,000 sockets a run; the edge
   * compiled its handshake code for 20,000 connects and more, and HAProxy's rate, its own code
   * never compiled, tripled in the first ten rounds as the nodes' and the load generator's
   * handshake code was.
   */
  static List<Report> interleaved(
      Comparison comparison, List<Proxy> proxies, List<String> nodes, int sockets)
      throws Exception {
    Settings settings = comparison.settings();
    Servers servers = comparison.servers();
    Vertx vertx = comparison.vertx();
    int quiet = 0;
    int rounds = settings.quick() ? 1 : WARMUP_RUNS;
    double[] best = new double[proxies.size()];
    for (int round = 1; round <= rounds && !(round > 3 && quiet >= 2); round++) {
      boolean calm = true;
      for (int t = 0; t < proxies.size(); t++) {
        Proxy proxy = proxies.get(t);
        List<String> serving = new ArrayList<>(nodes);
        serving.add(proxy.process());
        long jitBefore = servers.jitMillis(serving) + Servers.ownJitMillis();
        long started = System.nanoTime();
        Report warm =
            ConnectScenario.run(vertx, Wire.of("wsgrid"), List.of(proxy.url()), sockets, 100, 1);
        double share =
            (servers.jitMillis(serving) + Servers.ownJitMillis() - jitBefore)
                / ((System.nanoTime() - started) / 1e6);
        double rate = warm.number("connects_per_s");
        calm &= share < 0.10 && rate <= best[t] * 1.10;
        best[t] = Math.max(best[t], rate);
        comparison
            .results()
            .log(
                "  connect via %s, warm-up run %d (not counted): %.0f connects/s,"
                    + " JIT compilers (proxy, nodes, load generator) %.0f %% of a core",
                proxy.label(), round, rate, share * 100);
      }
      quiet = calm ? quiet + 1 : 0;
    }
    List<List<Report>> runs = new ArrayList<>();
    for (int t = 0; t < proxies.size(); t++) runs.add(new ArrayList<>());
    for (int run = 0; run < settings.runs(); run++) {
      for (int t = 0; t < proxies.size(); t++) {
        Proxy proxy = proxies.get(t);
        long proxyBefore = servers.cpuMillis(List.of(proxy.process()));
        long[] machineBefore = Servers.machineJiffies();
        Report r =
            ConnectScenario.run(vertx, Wire.of("wsgrid"), List.of(proxy.url()), sockets, 100, 1);
        long[] machineAfter = Servers.machineJiffies();
        double all = machineAfter[0] - machineBefore[0];
        r.put(
                "proxy_cpu_us_per_connect",
                Math.round(
                    (servers.cpuMillis(List.of(proxy.process())) - proxyBefore) * 1000.0 / sockets))
            .put(
                "machine_busy",
                all > 0 ? Math.round((machineAfter[1] - machineBefore[1]) / all * 100) / 100.0 : 0);
        comparison
            .results()
            .log("  connect via %s run %d: %s", proxy.label(), run + 1, r.toJson().encode());
        runs.get(t).add(r);
        Thread.sleep(500);
      }
    }
    List<Report> medians = new ArrayList<>();
    for (List<Report> reports : runs) {
      reports.sort(
          (a, b) -> Double.compare(a.number("connects_per_s"), b.number("connects_per_s")));
      medians.add(reports.get(reports.size() / 2));
    }
    return medians;
  }
}
