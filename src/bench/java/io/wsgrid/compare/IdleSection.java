package io.wsgrid.compare;

import io.wsgrid.bench.IdleScenario;
import io.wsgrid.bench.Report;
import io.wsgrid.bench.Wire;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory per idle socket on a fresh wsgrid node and a fresh Node.js {@code ws} process, one per run
 * since a process keeps the memory it grew (target: ≤ 10 KiB of RSS per socket); and, when a JDK 25
 * is installed, the node on it with compact object headers.
 */
final class IdleSection implements Section {
  private static final double TARGET_KIB = 10;

  @Override
  public String name() {
    return "idle";
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    int sockets = c.settings().quick() ? 2_000 : 15_000;
    Report wsgrid =
        c.median(
            "idle wsgrid node",
            "rss_per_socket_kib",
            () -> onWsgridNode(c, "idle", p + 3, p + 56, sockets, null));
    Report ws =
        c.median(
            "idle Node ws",
            "rss_per_socket_kib",
            () -> {
              c.servers().node("idle-ws", c.peer("ws-server.js"), p + 4);
              try {
                return IdleScenario.run(
                    c.vertx(),
                    Wire.of("wsgrid"),
                    List.of("ws://127.0.0.1:" + (p + 4) + "/ws"),
                    sockets,
                    500,
                    4,
                    5,
                    new IdleScenario.Probe(null, c.servers().pid("idle-ws"), 0));
              } finally {
                c.servers().stop("idle-ws");
              }
            });
    double kib = wsgrid.number("rss_per_socket_kib");
    c.results()
        .row(
            "idle sockets on one node: RSS per socket (" + sockets + " held, fresh process)",
            kib + " KiB",
            ws.number("rss_per_socket_kib") + " KiB (Node ws)",
            "—",
            "≤ 10 KiB",
            kib <= TARGET_KIB,
            kib + " KiB against ≤ 10 KiB");
    c.results()
        .informative(
            "idle sockets on one node: live heap per socket after GC",
            wsgrid.number("heap_per_socket_kib") + " KiB",
            "—",
            "—");
    Path jdk25 = Servers.jdk25();
    if (jdk25 != null) {
      // One run: an experiment, not a target of its own (keeps the comparison within 15 minutes).
      Report r =
          c.median(
              "idle wsgrid node on JDK 25 with compact object headers",
              "rss_per_socket_kib",
              1,
              () -> onWsgridNode(c, "idle25", p + 2, p + 55, sockets, jdk25));
      double kib25 = r.number("rss_per_socket_kib");
      c.results()
          .row(
              "idle sockets, the same on JDK 25 with -XX:+UseCompactObjectHeaders (1 run)",
              kib25 + " KiB RSS, " + r.number("heap_per_socket_kib") + " KiB live heap",
              "—",
              "—",
              "≤ 10 KiB",
              kib25 <= TARGET_KIB,
              kib25 + " KiB against ≤ 10 KiB");
    }
  }

  /**
   * Holds the sockets on a fresh wsgrid node (on {@code jdk25} with compact object headers, if
   * given), then stops it.
   */
  private static Report onWsgridNode(
      Comparison c, String name, int port, int clusterPort, int sockets, Path jdk25)
      throws Exception {
    String node =
        jdk25 == null
            ? c.servers().wsgridNode(name, port, clusterPort, "bench-" + name, 0)
            : c.servers()
                .wsgridNode(
                    name,
                    port,
                    clusterPort,
                    "bench-" + name,
                    0,
                    jdk25,
                    "-XX:+UseCompactObjectHeaders");
    try {
      return IdleScenario.run(
          c.vertx(),
          Wire.of("wsgrid"),
          List.of(node),
          sockets,
          500,
          4,
          5,
          new IdleScenario.Probe(
              node.replace("ws://", "http://").replace("/ws", "/metrics"),
              0,
              c.servers().pid(name)));
    } finally {
      c.servers().stop(name);
    }
  }
}
