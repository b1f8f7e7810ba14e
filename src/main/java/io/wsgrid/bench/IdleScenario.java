package io.wsgrid.bench;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Holds N idle sockets on the target and reports its memory per socket: resident set size (RSS) and
 * JVM heap from the target's {@code /metrics} ({@code process_resident_memory_bytes}, {@code
 * jvm_memory_used_bytes{area="heap"}}) before and after, or RSS from {@code /proc/<pid>} for a
 * target without metrics (the Node.js peer). Source addresses spread over 127.0.0.2… so the
 * ephemeral port range is no limit. RSS after minus RSS before counts what the sockets made the
 * process take from the system; heap after minus heap before (after a GC when asked) what they keep
 * alive.
 */
public final class IdleScenario {
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private IdleScenario() {}

  /**
   * Where to read the target's memory from: a metrics URL, or a pid. With {@code gcPid} (a JVM on
   * this machine), {@code jcmd <pid> GC.run} runs before each reading, so garbage is not counted as
   * memory the sockets hold.
   */
  public record Probe(String metricsUrl, long pid, long gcPid) {
    void settle() throws IOException, InterruptedException {
      if (gcPid <= 0) return;
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  "" + gcPid,
                  "GC.run")
              .redirectErrorStream(true)
              .start();
      jcmd.getInputStream().readAllBytes();
      if (jcmd.waitFor() != 0)
        throw new IOException(
            "jcmd " + gcPid + " GC.run failed: is " + gcPid + " a JVM of this user?");
    }

    double rss() throws IOException, InterruptedException {
      if (metricsUrl != null) return metric(metricsUrl, "process_resident_memory_bytes");
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:"))
          return Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
      }
      return Double.NaN;
    }

    double heap() throws IOException, InterruptedException {
      return metricsUrl == null
          ? Double.NaN
          : metric(metricsUrl, "jvm_memory_used_bytes{area=\"heap\"");
    }
  }

  public static Report run(
      Vertx vertx,
      Wire wire,
      List<String> targets,
      int count,
      int concurrency,
      int sources,
      double holdSeconds,
      Probe probe)
      throws Exception {
    probe.settle();
    double rssBefore = probe.rss();
    double heapBefore = probe.heap();
    Connector connector = new Connector(vertx, wire, sources);
    List<BenchSocket> sockets;
    try (Progress p =
        new Progress(
            vertx,
            "idle",
            () ->
                connector.opened.get()
                    + "/"
                    + count
                    + " open, "
                    + connector.failed.get()
                    + " failed")) {
      sockets = FanoutScenario.await(connector.open(targets, count, concurrency), 900);
      Thread.sleep((long) (holdSeconds * 1000));
    }
    long held = sockets.stream().filter(s -> !s.isClosed()).count();
    probe.settle();
    double rssAfter = probe.rss();
    double heapAfter = probe.heap();
    Report report =
        new Report("idle")
            .put("sockets", count)
            .put("held", held)
            .put("failures", connector.failed.get())
            .put("rss_before_mib", mib(rssBefore))
            .put("rss_after_mib", mib(rssAfter))
            .put(
                "rss_per_socket_kib",
                Math.round((rssAfter - rssBefore) / Math.max(1, held) / 1024 * 100) / 100.0);
    if (!Double.isNaN(heapBefore)) {
      report
          .put("heap_before_mib", mib(heapBefore))
          .put("heap_after_mib", mib(heapAfter))
          .put(
              "heap_per_socket_kib",
              Math.round((heapAfter - heapBefore) / Math.max(1, held) / 1024 * 100) / 100.0);
    }
    if (connector.failed.get() > 0) report.put("last_failure", connector.lastFailure());
    FanoutScenario.await(connector.closeAll(sockets).compose(v -> connector.close()), 120);
    return report;
  }

  private static double mib(double bytes) {
    return Math.round(bytes / (1 << 20) * 10) / 10.0;
  }

  /**
   * Sum of the samples of {@code prefix} (a metric name with the start of its labels) in a
   * Prometheus scrape.
   */
  public static double metric(String url, String prefix) throws IOException, InterruptedException {
    String body =
        http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return body.lines()
        .filter(
            l ->
                l.startsWith(prefix + " ")
                    || l.startsWith(prefix + "{")
                    || (prefix.contains("{") && l.startsWith(prefix)))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
