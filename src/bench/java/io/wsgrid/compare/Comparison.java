package io.wsgrid.compare;

import io.vertx.core.Vertx;
import io.wsgrid.bench.Report;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One comparison of wsgrid and its peers on this machine: runs the chosen {@link Sections} one
 * after another, each measured {@code runs} times (medians), and writes RESULTS.md. Every server is
 * a child process on loopback ports from {@code --port}, started by {@link Servers} and stopped by
 * its pid, also on Ctrl-C. This is what sections share: the settings, the servers, the fan-out
 * shape and measurement, the results, and the 3 wsgrid nodes several sections load.
 */
final class Comparison {
  /** The fan-out shape every fan-out measurement uses. */
  record Shape(int subscribers, int channels, int publishers, int size) {}

  /** A measurement run several times, to take the median. */
  interface Measurement {
    Report run() throws Exception;
  }

  private final Vertx vertx;
  private final Settings settings;
  private final Analysis analysis;
  private final Servers servers;
  private final Shape shape;
  private final Results results;
  private final Steps steps;
  private final Sweeps sweeps;
  private final List<String> wsgridCluster = new ArrayList<>();

  /**
   * The 3-node wsgrid fan-out's deliveries/s, which sets the edge section's moderate rate; 0 until
   * measured.
   */
  private double clusterDeliveries;

  Comparison(Vertx vertx, Settings settings, Analysis analysis) {
    this.vertx = vertx;
    this.settings = settings;
    this.analysis = analysis;
    this.servers = new Servers(Path.of("target", "bench-logs"), settings.jvmFlags());
    this.shape = settings.quick() ? new Shape(200, 10, 2, 128) : new Shape(1000, 10, 4, 128);
    this.results = new Results(analysis);
    this.steps = new Steps(settings, servers, results);
    this.sweeps = new Sweeps(vertx, settings, steps, shape, results);
  }

  void run() throws Exception {
    servers.requireTools(settings.peers());
    // Ctrl-C stops the servers this run started, not only a normal end.
    Thread cleanup =
        new Thread(
            () -> {
              try {
                servers.close();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      for (Section section : settings.sections()) {
        results.section(analysis.title(section.name()));
        section.run(this);
      }
    } finally {
      servers.close();
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    results.write(settings, servers.versions());
  }

  Vertx vertx() {
    return vertx;
  }

  Settings settings() {
    return settings;
  }

  Servers servers() {
    return servers;
  }

  Shape shape() {
    return shape;
  }

  Results results() {
    return results;
  }

  Sweeps sweeps() {
    return sweeps;
  }

  /** Fixed-rate fan-out steps with their cost, and the warm-up, as the sweeps take them. */
  Steps steps() {
    return steps;
  }

  /** The first port of the comparison; each section uses fixed offsets from it. */
  int port() {
    return settings.port();
  }

  /** A Node.js peer's script in {@code --peers}. */
  Path peer(String script) {
    return settings.peers().resolve(script);
  }

  /**
   * The 3 wsgrid nodes (n1-n3, ports port+11 … port+13) the cluster, edge and balance sections
   * share, started once.
   */
  List<String> wsgridCluster() throws Exception {
    if (wsgridCluster.isEmpty()) {
      int p = port();
      for (int i = 1; i <= 3; i++)
        wsgridCluster.add(servers.wsgridNode("n" + i, p + 10 + i, p + 60, "bench-cluster", 0));
    }
    return wsgridCluster;
  }

  double clusterDeliveries() {
    return clusterDeliveries;
  }

  void clusterDeliveries(double deliveries) {
    clusterDeliveries = deliveries;
  }

  /** Runs a measurement {@code runs} times; returns the run whose {@code key} is the median. */
  Report median(String label, String key, Measurement measurement) throws Exception {
    return median(label, key, settings.runs(), measurement);
  }

  Report median(String label, String key, int runs, Measurement measurement) throws Exception {
    List<Report> reports = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      Report r = measurement.run();
      results.log("  %s run %d: %s", label, run + 1, r.toJson().encode());
      reports.add(r);
      Thread.sleep(1_000);
    }
    reports.sort((a, b) -> Double.compare(a.number(key), b.number(key)));
    return reports.get(reports.size() / 2);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
