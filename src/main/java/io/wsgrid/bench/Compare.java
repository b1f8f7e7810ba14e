package io.wsgrid.bench;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench compare}: wsgrid and its peers side by side on this machine, in one run, each
 * measured {@code runs} times (medians), with the ratios the targets are stated in. Starts every
 * server itself on loopback ports from {@code --port}, from this jar, the Node.js peers in
 * {@code src/bench/peers}, Debian's {@code redis-server} and {@code haproxy}; stops them by pid.
 * Writes {@code RESULTS.md}: tables, machine, versions, commands.
 */
public final class Compare {
  /** What a comparison runs. */
  public record Settings(int runs, Path out, Path peers, int port, boolean quick, java.util.Set<String> only, List<String> jvmFlags) {
    /** The sections a comparison can run, in order; {@code only} empty means all. */
    public static final List<String> SECTIONS = List.of("single", "idle", "cluster", "edge", "balance");

    public Settings {
      for (String section : only) {
        if (!SECTIONS.contains(section)) {
          throw new IllegalArgumentException("--only takes " + String.join(", ", SECTIONS) + "; got '" + section + "'");
        }
      }
      only = java.util.Set.copyOf(only);
      jvmFlags = List.copyOf(jvmFlags);
    }

    boolean runs(String section) {
      return only.isEmpty() || only.contains(section);
    }
  }

  /** The fan-out shape every fan-out measurement uses. */
  private record Shape(int subscribers, int channels, int publishers, int size) {}

  private static final double P99_LIMIT_MS = 50;
  private static final int CONNECT_WARMUP_RUNS = 24;
  private static final int WARMUP_ROUNDS = 45;
  private final Vertx vertx;
  private final Settings settings;
  private final Servers servers;
  private final Shape shape;
  private final StringBuilder log = new StringBuilder();
  private final List<String[]> summary = new ArrayList<>();
  /** Each missed target: {measurement, how far off}; RESULTS.md gives its cause ({@link Gaps}). */
  private final List<String[]> misses = new ArrayList<>();
  private final long started = System.nanoTime();
  private final List<String> wsgridCluster = new ArrayList<>();
  /** The 3-node wsgrid result, which sets the edge section's moderate rate; 0 until measured. */
  private double clusterWsgrid;

  Compare(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.servers = new Servers(Path.of("target", "bench-logs"), settings.jvmFlags());
    this.shape = settings.quick() ? new Shape(200, 10, 2, 128) : new Shape(1000, 10, 4, 128);
  }

  void run() throws Exception {
    servers.requireTools(settings.peers());
    // Ctrl-C stops the servers this run started, not only a normal end.
    Thread cleanup = new Thread(() -> {
      try {
        servers.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      if (settings.runs("single")) single();
      if (settings.runs("idle")) idle();
      if (settings.runs("cluster")) cluster();
      if (settings.runs("edge")) edge();
      if (settings.runs("balance")) balance();
    } finally {
      servers.close();
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    write();
  }

  /** The 3 wsgrid nodes the cluster, edge and balance sections share, started once. */
  private List<String> wsgridCluster() throws Exception {
    if (wsgridCluster.isEmpty()) {
      int p = settings.port();
      for (int i = 1; i <= 3; i++) wsgridCluster.add(servers.wsgridNode("n" + i, p + 10 + i, p + 60, "bench-cluster", 0));
    }
    return wsgridCluster;
  }

  private void single() throws Exception {
    int p = settings.port();
    section("single-node fan-out: wsgrid node vs Node.js ws");
    String wsgridNode = servers.wsgridNode("solo", p, p + 50, "bench-solo", 0);
    servers.node("ws-peer", settings.peers().resolve("ws-server.js"), p + 1);
    String wsPeer = "ws://127.0.0.1:" + (p + 1) + "/ws";
    List<Swept> solo = interleavedSweeps(List.of(
        new Contender("wsgrid node", "wsgrid", List.of(wsgridNode), 100, List.of("solo")),
        new Contender("Node ws", "wsgrid", List.of(wsPeer), 100, List.of("ws-peer"))));
    Swept soloWsgrid = solo.get(0);
    Swept soloWs = solo.get(1);
    target("single-node fan-out, deliveries/s at p99 < 50 ms", fmt(soloWsgrid.deliveries()), fmt(soloWs.deliveries()),
        soloWsgrid.deliveries() / soloWs.deliveries(), 1.5);
    cpu("single-node fan-out", soloWsgrid, soloWs, "Node ws");

    servers.stop("solo");
    servers.stop("ws-peer");
  }

  private void idle() throws Exception {
    int p = settings.port();
    section("idle sockets: memory per socket (a fresh server for every run: a process keeps the memory it grew)");
    int idle = settings.quick() ? 2_000 : 15_000;
    Report idleWsgrid = median("idle wsgrid node", "rss_per_socket_kib", () -> {
      String node = servers.wsgridNode("idle", p + 3, p + 56, "bench-idle", 0);
      try {
        return IdleScenario.run(vertx, new WsgridWire(), List.of(node), idle, 500, 4, 5,
            new IdleScenario.Probe(node.replace("ws://", "http://").replace("/ws", "/metrics"), 0, servers.pid("idle")));
      } finally {
        servers.stop("idle");
      }
    });
    Report idleWs = median("idle Node ws", "rss_per_socket_kib", () -> {
      servers.node("idle-ws", settings.peers().resolve("ws-server.js"), p + 4);
      try {
        return IdleScenario.run(vertx, new WsgridWire(), List.of("ws://127.0.0.1:" + (p + 4) + "/ws"), idle, 500, 4, 5,
            new IdleScenario.Probe(null, servers.pid("idle-ws"), 0));
      } finally {
        servers.stop("idle-ws");
      }
    });
    double kib = idleWsgrid.number("rss_per_socket_kib");
    summary.add(new String[] {"idle sockets on one node: RSS per socket (" + idle + " held, fresh process)", kib + " KiB",
        idleWs.number("rss_per_socket_kib") + " KiB (Node ws)", "—", "≤ 10 KiB", kib <= 10 ? "met" : "missed"});
    if (kib > 10) misses.add(new String[] {summary.get(summary.size() - 1)[0], kib + " KiB against ≤ 10 KiB"});
    summary.add(new String[] {"idle sockets on one node: live heap per socket after GC", idleWsgrid.number("heap_per_socket_kib") + " KiB",
        "—", "—", "—", "(informative)"});
    Path jdk25 = Servers.jdk25();
    if (jdk25 != null) {
      // One run: an experiment the issue asks to try, not a target of its own (keeps the comparison within 15 minutes).
      Report idle25 = median("idle wsgrid node on JDK 25 with compact object headers", "rss_per_socket_kib", 1, () -> {
        String node25 = servers.wsgridNode("idle25", p + 2, p + 55, "bench-idle25", 0, jdk25, "-XX:+UseCompactObjectHeaders");
        try {
          return IdleScenario.run(vertx, new WsgridWire(), List.of(node25), idle, 500, 4, 5,
              new IdleScenario.Probe(node25.replace("ws://", "http://").replace("/ws", "/metrics"), 0, servers.pid("idle25")));
        } finally {
          servers.stop("idle25");
        }
      });
      summary.add(new String[] {"idle sockets, the same on JDK 25 with -XX:+UseCompactObjectHeaders (1 run)", idle25.number("rss_per_socket_kib")
          + " KiB RSS, " + idle25.number("heap_per_socket_kib") + " KiB live heap", "—", "—", "≤ 10 KiB",
          idle25.number("rss_per_socket_kib") <= 10 ? "met" : "missed"});
      if (idle25.number("rss_per_socket_kib") > 10) {
        misses.add(new String[] {summary.get(summary.size() - 1)[0], idle25.number("rss_per_socket_kib") + " KiB against ≤ 10 KiB"});
      }
    }
  }

  private void cluster() throws Exception {
    int p = settings.port();
    section("3-node cluster fan-out: Socket.IO + Redis adapter, then wsgrid (one of them running at a time)");
    servers.redis("redis", p + 20);
    List<String> socketio = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      servers.node("sio" + i, settings.peers().resolve("socketio-server.js"), p + 20 + i, "redis://127.0.0.1:" + (p + 20));
      socketio.add("ws://127.0.0.1:" + (p + 20 + i));
    }
    Swept clusterSio = interleavedSweeps(List.of(
        new Contender("Socket.IO 3 + Redis", "socketio", socketio, 50, List.of("sio1", "sio2", "sio3", "redis")))).get(0);
    for (int i = 1; i <= 3; i++) servers.stop("sio" + i);
    servers.stop("redis");
    Swept cluster = interleavedSweeps(List.of(
        new Contender("wsgrid 3 nodes", "wsgrid", wsgridCluster(), 50, List.of("n1", "n2", "n3")))).get(0);
    clusterWsgrid = cluster.deliveries();
    target("3-node cluster fan-out, deliveries/s at p99 < 50 ms", fmt(clusterWsgrid), fmt(clusterSio.deliveries()),
        clusterWsgrid / clusterSio.deliveries(), 3);
    cpu("3-node cluster fan-out", cluster, clusterSio, "Socket.IO + Redis, the 4 processes");
  }

  private void edge() throws Exception {
    int p = settings.port();
    section("edge tunnel vs HAProxy (tcp, leastconn) in front of the same 3 nodes");
    List<String> nodes = wsgridCluster();
    String edge = servers.wsgridEdge("edge", p + 30, p + 60, "bench-cluster", "least-connections");
    String haproxy = servers.haproxy("haproxy", p + 31, List.of(p + 11, p + 12, p + 13));
    List<Swept> proxied = interleavedSweeps(List.of(
        new Contender("via wsgrid edge", "wsgrid", List.of(edge), 50, List.of("edge", "n1", "n2", "n3")),
        new Contender("via HAProxy", "wsgrid", List.of(haproxy), 50, List.of("haproxy", "n1", "n2", "n3"))));
    Swept edgeSwept = proxied.get(0);
    Swept haproxySwept = proxied.get(1);
    double viaEdge = edgeSwept.deliveries();
    double viaHaproxy = haproxySwept.deliveries();
    target("edge tunnel: fan-out throughput (deliveries/s at p99 < 50 ms)", fmt(viaEdge), fmt(viaHaproxy), viaEdge / viaHaproxy, 0.9);
    cpu("edge tunnel fan-out (proxy and nodes)", edgeSwept, haproxySwept, "HAProxy");
    int connects = settings.quick() ? 500 : 3_000;
    List<Report> connected = interleavedConnects(List.of(new String[] {"edge", edge, "edge"}, new String[] {"HAProxy", haproxy, "haproxy"}),
        List.of("n1", "n2", "n3"), connects);
    Report connectEdge = connected.get(0);
    Report connectHaproxy = connected.get(1);
    target("edge tunnel: connects/s (" + connects + " sockets, 100 in flight)", fmt(connectEdge.number("connects_per_s")),
        fmt(connectHaproxy.number("connects_per_s")), connectEdge.number("connects_per_s") / connectHaproxy.number("connects_per_s"), 0.9);
    summary.add(new String[] {"edge tunnel: the proxy's own CPU per connect (handshake and close; lower is better); machine busy",
        String.format(Locale.ROOT, "%.0f µs; %.0f %%", connectEdge.number("proxy_cpu_us_per_connect"), connectEdge.number("machine_busy") * 100),
        String.format(Locale.ROOT, "%.0f µs (HAProxy); %.0f %%", connectHaproxy.number("proxy_cpu_us_per_connect"),
            connectHaproxy.number("machine_busy") * 100),
        String.format(Locale.ROOT, "%.2f× the peer's", connectEdge.number("proxy_cpu_us_per_connect") / connectHaproxy.number("proxy_cpu_us_per_connect")),
        "—", "(informative)"});
    // Added latency: one moderate load whose subscribers are a third direct, a third via the edge,
    // a third via HAProxy, so each publication reaches the three paths at the same moment.
    double rate = Math.max(50, Math.min(clusterWsgrid > 0 ? clusterWsgrid : viaEdge, viaHaproxy) / shape.subscribers() * shape.channels() * 0.3);
    Added added = addedLatency(nodes, edge, haproxy, rate);
    summary.add(new String[] {"edge tunnel: added p99 latency at " + Math.round(rate) + " publications/s (the same publications, direct and through each proxy)",
        String.format(Locale.ROOT, "%+.2f ms (direct p99 %.2f ms; p50 %+.2f ms)", added.edgeAddsP99(), added.directP99(), added.edgeAddsP50()),
        String.format(Locale.ROOT, "%+.2f ms (HAProxy; p50 %+.2f ms)", added.haproxyAddsP99(), added.haproxyAddsP50()),
        "—", "≤ 1 ms", added.edgeAddsP99() <= 1 ? "met" : "missed"});
    if (added.edgeAddsP99() > 1) {
      misses.add(new String[] {summary.get(summary.size() - 1)[0], String.format(Locale.ROOT, "%+.2f ms against ≤ 1 ms", added.edgeAddsP99())});
    }
    servers.stop("haproxy");
    servers.stop("edge");
  }

  private void balance() throws Exception {
    int p = settings.port();
    section("balance: 10,000 connects over 4 nodes (GET /assign, sockets held)");
    wsgridCluster();
    servers.wsgridNode("n4", p + 14, p + 60, "bench-cluster", 0);
    String lc = servers.wsgridEdge("edge-lc", p + 32, p + 60, "bench-cluster", "least-connections");
    String p2c = servers.wsgridEdge("edge-p2c", p + 33, p + 60, "bench-cluster", "power-of-two");
    awaitNodes(p + 32, 4);
    int balance = settings.quick() ? 1_000 : 10_000;
    for (String[] strategy : new String[][] {{"least-connections", lc}, {"power-of-two", p2c}}) {
      Report r = median("balance " + strategy[0], "max_over_mean", () -> BalanceScenario.run(vertx, strategy[1], balance, 200, 1, true));
      double ratio = r.number("max_over_mean");
      summary.add(new String[] {"balance, " + balance + " connects over 4 nodes, " + strategy[0] + ": max/mean", String.valueOf(ratio),
          "per node " + r.get("per_node"), "—", "≤ 1.05", ratio <= 1.05 ? "met" : "missed"});
      if (ratio > 1.05) misses.add(new String[] {summary.get(summary.size() - 1)[0], ratio + " against ≤ 1.05"});
    }
  }

  // ---- measurements ----

  /** A sweep's median result: deliveries/s, and what the best steps cost (medians of each figure). */
  private record Swept(double deliveries, Cost cost) {
    double cpuMsPerThousand() {
      return cost.serverMsPerThousand();
    }
  }

  /**
   * What a step cost: the serving processes' CPU per 1,000 deliveries, this load generator's, and
   * the share of the machine's CPU time that was busy (all processes, from /proc/stat). A best step
   * with the machine near 100 % busy says the machine, not the server, set the limit.
   */
  private record Cost(double serverMsPerThousand, double loadgenMsPerThousand, double machineBusy) {
    static final Cost NONE = new Cost(0, 0, 0);

    static Cost median(Cost[] costs) {
      return new Cost(Compare.median(Arrays.stream(costs).mapToDouble(Cost::serverMsPerThousand).toArray()),
          Compare.median(Arrays.stream(costs).mapToDouble(Cost::loadgenMsPerThousand).toArray()),
          Compare.median(Arrays.stream(costs).mapToDouble(Cost::machineBusy).toArray()));
    }
  }

  /** A server set under test: its label, its wire protocol, its URLs, where its sweeps start, the processes serving it. */
  private record Contender(String label, String protocol, List<String> targets, double startRate, List<String> serving) {}

  /**
   * For each contender, the median over runs of the best deliveries/s a sweep finds with p99 under
   * the limit, and its servers' CPU then (read around every step). The contenders take turns, run
   * by run, so a drift of the shared machine (another tenant, the JIT of a process both use)
   * weighs on each alike.
   */
  private List<Swept> interleavedSweeps(List<Contender> contenders) throws Exception {
    int n = contenders.size();
    double[][] best = new double[n][settings.runs()];
    Cost[][] cost = new Cost[n][settings.runs()];
    double[] start = new double[n];
    for (int c = 0; c < n; c++) start[c] = contenders.get(c).startRate();
    for (int run = 0; run < settings.runs(); run++) {
      for (int c = 0; c < n; c++) {
        Contender who = contenders.get(c);
        Sweep result = sweep(who.label() + " run " + (run + 1), who.protocol(), who.targets(), start[c], who.serving(), run == 0);
        best[c][run] = result.bestDeliveries();
        cost[c][run] = result.cost();
        // Later runs start one 1.5x step below the rate the first one passed: the same top end,
        // found without climbing from the bottom again (keeps the comparison within 15 minutes);
        // a start that fails steps down.
        if (run == 0 && result.passedRate() > 0) start[c] = Math.max(who.startRate(), result.passedRate() / 1.5);
      }
    }
    List<Swept> swept = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      double median = median(best[c]);
      Cost costMedian = Cost.median(cost[c]);
      log("%s: best deliveries/s per run %s → median %s; server CPU per 1,000 deliveries at those steps %s ms → median %.1f ms"
          + " (load generator %.1f ms, machine %.0f %% busy)",
          contenders.get(c).label(), Arrays.toString(Arrays.stream(best[c]).mapToLong(Math::round).toArray()), fmt(median),
          Arrays.toString(Arrays.stream(cost[c]).mapToDouble(x -> Math.round(x.serverMsPerThousand() * 10) / 10.0).toArray()),
          costMedian.serverMsPerThousand(), costMedian.loadgenMsPerThousand(), costMedian.machineBusy() * 100);
      swept.add(new Swept(median, costMedian));
    }
    return swept;
  }

  /**
   * Connect runs through each target ({name, url, proxy process}), taking turns; the median run of
   * each, with the proxy's CPU per connect (the handshake and the close that ends each run) and
   * how busy the machine was. Warm-up rounds first, not counted, until two rounds in a row are
   * quiet (at least 3 rounds, at most {@link #CONNECT_WARMUP_RUNS}): in a quiet round the JIT
   * compilers of each proxy, of the nodes behind it and of this load generator took under 10 % of
   * a core, and no target's connect rate rose more than 10 % above its best earlier round. The
   * sweeps opened only 1,000 sockets a run; the edge compiled its handshake code for 20,000
   * connects and more, and HAProxy's rate, its own code never compiled, tripled in the first ten
   * rounds as the nodes' and the load generator's handshake code was.
   */
  private List<Report> interleavedConnects(List<String[]> targets, List<String> nodes, int sockets) throws Exception {
    int quiet = 0;
    int rounds = settings.quick() ? 1 : CONNECT_WARMUP_RUNS;
    double[] best = new double[targets.size()];
    for (int round = 1; round <= rounds && !(round > 3 && quiet >= 2); round++) {
      boolean calm = true;
      for (int t = 0; t < targets.size(); t++) {
        String[] target = targets.get(t);
        List<String> serving = new ArrayList<>(nodes);
        serving.add(target[2]);
        long jitBefore = servers.jitMillis(serving) + Servers.ownJitMillis();
        long started = System.nanoTime();
        Report warm = ConnectScenario.run(vertx, new WsgridWire(), List.of(target[1]), sockets, 100, 1);
        double share = (servers.jitMillis(serving) + Servers.ownJitMillis() - jitBefore) / ((System.nanoTime() - started) / 1e6);
        double rate = warm.number("connects_per_s");
        calm &= share < 0.10 && rate <= best[t] * 1.10;
        best[t] = Math.max(best[t], rate);
        log("  connect via %s, warm-up run %d (not counted): %.0f connects/s, JIT compilers (proxy, nodes, load generator) %.0f %% of a core",
            target[0], round, rate, share * 100);
      }
      quiet = calm ? quiet + 1 : 0;
    }
    List<List<Report>> runs = new ArrayList<>();
    for (int t = 0; t < targets.size(); t++) runs.add(new ArrayList<>());
    for (int run = 0; run < settings.runs(); run++) {
      for (int t = 0; t < targets.size(); t++) {
        String[] target = targets.get(t);
        long proxyBefore = servers.cpuMillis(List.of(target[2]));
        long[] machineBefore = Servers.machineJiffies();
        Report r = ConnectScenario.run(vertx, new WsgridWire(), List.of(target[1]), sockets, 100, 1);
        long[] machineAfter = Servers.machineJiffies();
        double all = machineAfter[0] - machineBefore[0];
        r.put("proxy_cpu_us_per_connect", Math.round((servers.cpuMillis(List.of(target[2])) - proxyBefore) * 1000.0 / sockets))
            .put("machine_busy", all > 0 ? Math.round((machineAfter[1] - machineBefore[1]) / all * 100) / 100.0 : 0);
        log("  connect via %s run %d: %s", target[0], run + 1, r.toJson().encode());
        runs.get(t).add(r);
        Thread.sleep(500);
      }
    }
    List<Report> medians = new ArrayList<>();
    for (List<Report> reports : runs) {
      reports.sort((a, b) -> Double.compare(a.number("connects_per_s"), b.number("connects_per_s")));
      medians.add(reports.get(reports.size() / 2));
    }
    return medians;
  }

  /** What a sweep found: the best passing step's deliveries/s, the highest publication rate that passed, and the cost then. */
  private record Sweep(double bestDeliveries, double passedRate, Cost cost) {}

  /**
   * Raises the publication rate by 1.5× per step until a step fails (p99 ≥ 50 ms, or less than 99%
   * of the owed deliveries, or under 90% of the asked rate) twice in a row — one stall (a GC
   * pause, another process's burst on the shared cores) in a 2-second step is not the server's
   * capacity — then bisects twice between the last pass and the failure. A first step that fails
   * steps down instead. Returns the best passing step's deliveries/s.
   */
  private Sweep sweep(String label, String protocol, List<String> targets, double startRate, List<String> serving, boolean first)
      throws Exception {
    double stepSeconds = 2;
    try (FanoutScenario scenario = new FanoutScenario(vertx, Wire.of(protocol), new FanoutScenario.Settings(targets,
        shape.subscribers(), shape.channels(), shape.publishers(), shape.size(), 1, 200, "bench.c" + System.nanoTime() % 100000 + "."))) {
      scenario.setup();
      // Not counted: before the first sweep the servers are brought to their steady state; before
      // a later one (same processes) 1 s for the new connections' buffers and pools. Then half a
      // second for queues to empty.
      if (first) warmUp(label, scenario, startRate * 4, serving);
      else scenario.step(startRate, 1);
      Thread.sleep(500);
      double best = 0;
      Cost bestCost = Cost.NONE;
      double passed = 0;
      double rate = startRate;
      double failedAt = 0;
      boolean retried = false;
      while (rate <= 200_000) {
        Measured m = measuredStep(scenario, rate, stepSeconds, serving);
        boolean ok = pass(m.report(), rate);
        Report r = m.report();
        log("  %s: %s/s asked → %s pub/s, %s deliveries/s, p50 %s p99 %s ms, drops %s, errors %s, server CPU %.1f ms/1k,"
            + " load generator %.1f ms/1k, machine %.0f %% busy: %s", label,
            Math.round(rate), r.get("publications_per_s"), r.get("deliveries_per_s"), r.get("latency_p50_ms"), r.get("latency_p99_ms"),
            r.get("drops"), r.get("errors"), m.cost().serverMsPerThousand(), m.cost().loadgenMsPerThousand(), m.cost().machineBusy() * 100,
            ok ? "pass" : "FAIL");
        Thread.sleep(250);
        if (!ok) {
          if (passed == 0 && rate / 1.5 >= startRate / 4) {
            rate /= 1.5; // the first step failed: the top is below it
            continue;
          }
          if (!retried) {
            retried = true; // once per sweep: the same step again
            continue;
          }
          failedAt = rate;
          break;
        }
        passed = rate;
        if (r.number("deliveries_per_s") > best) {
          best = r.number("deliveries_per_s");
          bestCost = m.cost();
        }
        rate *= 1.5;
      }
      // Narrow down between the last pass and the first failure, twice.
      for (int k = 0; k < 2 && failedAt > 0 && passed > 0; k++) {
        double middle = (passed + failedAt) / 2;
        Measured m = measuredStep(scenario, middle, stepSeconds, serving);
        Report r = m.report();
        boolean ok = pass(r, middle);
        log("  %s: %s/s asked → %s deliveries/s, p99 %s ms, server CPU %.1f ms/1k, machine %.0f %% busy: %s", label, Math.round(middle),
            r.get("deliveries_per_s"), r.get("latency_p99_ms"), m.cost().serverMsPerThousand(), m.cost().machineBusy() * 100, ok ? "pass" : "FAIL");
        Thread.sleep(250);
        if (ok) {
          if (r.number("deliveries_per_s") > best) {
            best = r.number("deliveries_per_s");
            bestCost = m.cost();
          }
          passed = middle;
        } else {
          failedAt = middle;
        }
      }
      return new Sweep(best, passed, bestCost);
    }
  }

  /**
   * Brings the serving processes to their steady state before the first sweep: rounds of 2 s at
   * {@code rate} until, two rounds in a row, the JIT compilers of the JVMs among them took under
   * 10 % of a core and the servers' CPU per 1,000 deliveries stopped falling (within 10 % of the
   * round before); at least 3 rounds, at most {@link #WARMUP_ROUNDS}. Here a cold JVM spends about
   * twice a warm one's CPU per delivery, and three fresh JVMs on 2 cores keep their compilers busy
   * for a minute or more (the code run once per publication gets hot a hundred times slower than
   * the code run once per delivery, hence a rate of four times the sweep's start); a Node.js
   * server settles in the first rounds. Every server gets the same rule.
   */
  private void warmUp(String label, FanoutScenario scenario, double rate, List<String> serving) throws Exception {
    double roundSeconds = 2;
    double previous = Double.MAX_VALUE;
    int quiet = 0;
    int rounds = settings.quick() ? 3 : WARMUP_ROUNDS;
    for (int round = 1; round <= rounds; round++) {
      long jitBefore = servers.jitMillis(serving);
      Measured m = measuredStep(scenario, rate, roundSeconds, serving);
      double jitShare = (servers.jitMillis(serving) - jitBefore) / (roundSeconds * 1000);
      double cpu = m.cost().serverMsPerThousand();
      quiet = jitShare < 0.10 && cpu >= 0.9 * previous ? quiet + 1 : 0;
      boolean settled = round >= 3 && quiet >= 2;
      log("  %s warm-up round %d: %s/s, server CPU %.1f ms/1k, JIT compilers %.0f %% of a core%s", label, round, Math.round(rate),
          cpu, jitShare * 100, settled ? ": steady" : "");
      if (settled) return;
      previous = cpu;
    }
    log("  %s: not steady after %d warm-up rounds; measuring anyway", label, rounds);
  }

  /** A step and what it cost. */
  private record Measured(Report report, Cost cost) {}

  private Measured measuredStep(FanoutScenario scenario, double rate, double seconds, List<String> serving) throws Exception {
    long before = servers.cpuMillis(serving);
    long loadgenBefore = Servers.ownCpuMillis();
    long[] machineBefore = Servers.machineJiffies();
    Report r = scenario.step(rate, seconds);
    long spent = servers.cpuMillis(serving) - before;
    long loadgen = Servers.ownCpuMillis() - loadgenBefore;
    long[] machineAfter = Servers.machineJiffies();
    double total = machineAfter[0] - machineBefore[0];
    double busy = total > 0 ? (machineAfter[1] - machineBefore[1]) / total : 0;
    double thousands = r.number("deliveries") / 1000;
    return new Measured(r, thousands > 0 ? new Cost(spent / thousands, loadgen / thousands, busy) : Cost.NONE);
  }

  private static boolean pass(Report r, double rate) {
    double owed = r.number("deliveries") + r.number("drops");
    return r.number("latency_p99_ms") < P99_LIMIT_MS && r.number("deliveries") >= 0.99 * owed
        && r.number("publications_per_s") >= 0.9 * rate && r.number("errors") == 0;
  }

  /**
   * The direct path's p50 and p99 (ms) and what each proxy added to them: medians over runs of
   * the differences measured within each run.
   */
  private record Added(double directP50, double directP99, double edgeAddsP50, double edgeAddsP99, double haproxyAddsP50, double haproxyAddsP99) {}

  /**
   * Latency through each proxy against going direct, measured on the same publications: the
   * publishers connect to the nodes, the subscribers a third each direct, via the edge, via
   * HAProxy (a 1 s warm-up, then 6 s measured, {@code runs} times).
   */
  private Added addedLatency(List<String> nodes, String edge, String haproxy, double rate) throws Exception {
    int runs = settings.runs();
    double[][] q = new double[6][runs];
    String[] names = {"direct", "via edge", "via HAProxy"};
    for (int run = 0; run < runs; run++) {
      try (FanoutScenario scenario = new FanoutScenario(vertx, new WsgridWire(), new FanoutScenario.Settings(nodes,
          List.of(nodes, List.of(edge), List.of(haproxy)), shape.subscribers(), shape.channels(), shape.publishers(), shape.size(), 1, 200,
          "bench.l" + run + "."))) {
        scenario.setup();
        scenario.step(rate, 1); // warm-up, not counted
        Report r = scenario.step(rate, settings.quick() ? 2 : 6);
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < 3; k++) {
          q[2 * k][run] = r.number("path" + (k + 1) + "_latency_p50_ms");
          q[2 * k + 1][run] = r.number("path" + (k + 1) + "_latency_p99_ms");
          line.append(String.format(Locale.ROOT, "%s p50 %.2f p99 %.2f p99.9 %s ms; ", names[k], q[2 * k][run], q[2 * k + 1][run],
              r.get("path" + (k + 1) + "_latency_p999_ms")));
        }
        log("  same publications at %d/s run %d: %s%s deliveries/s", Math.round(rate), run + 1, line, r.get("deliveries_per_s"));
      }
    }
    return new Added(median(q[0]), median(q[1]), median(minus(q[2], q[0])), median(minus(q[3], q[1])),
        median(minus(q[4], q[0])), median(minus(q[5], q[1])));
  }

  private static double[] minus(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
    return d;
  }

  interface Measurement {
    Report run() throws Exception;
  }

  /** Runs a measurement {@code runs} times; returns the run whose {@code key} is the median. */
  private Report median(String label, String key, Measurement measurement) throws Exception {
    return median(label, key, settings.runs(), measurement);
  }

  private Report median(String label, String key, int runs, Measurement measurement) throws Exception {
    List<Report> reports = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      Report r = measurement.run();
      log("  %s run %d: %s", label, run + 1, r.toJson().encode());
      reports.add(r);
      Thread.sleep(1_000);
    }
    reports.sort((a, b) -> Double.compare(a.number(key), b.number(key)));
    return reports.get(reports.size() / 2);
  }

  private void awaitNodes(int edgePort, int count) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edgePort + "/admin/nodes")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      if (new io.vertx.core.json.JsonObject(body).getJsonArray("nodes").size() >= count) return;
      Thread.sleep(200);
    }
    throw new IllegalStateException("the edge did not see " + count + " nodes within 60 s: see target/bench-logs/");
  }

  // ---- output ----

  private void target(String what, String wsgrid, String peer, double ratio, double goal) {
    summary.add(new String[] {what, wsgrid, peer, String.format(Locale.ROOT, "%.2f×", ratio), "≥ " + goal + "×",
        ratio >= goal ? "met" : "missed"});
    if (ratio < goal) misses.add(new String[] {what, Gaps.ratioGap(ratio, goal)});
    log("%s: wsgrid %s, peer %s, ratio %.2f (target %.1f)", what, wsgrid, peer, ratio, goal);
  }

  /**
   * An informative row: the serving processes' CPU per 1,000 deliveries at the best passing steps
   * (lower is better), with the load generator's and how busy the machine was then.
   */
  private void cpu(String what, Swept wsgrid, Swept peer, String peerName) {
    summary.add(new String[] {what + ": server CPU per 1,000 deliveries at the best step (lower is better); load generator's; machine busy",
        String.format(Locale.ROOT, "%.1f ms; %.1f ms; %.0f %%", wsgrid.cpuMsPerThousand(), wsgrid.cost().loadgenMsPerThousand(),
            wsgrid.cost().machineBusy() * 100),
        String.format(Locale.ROOT, "%.1f ms (%s); %.1f ms; %.0f %%", peer.cpuMsPerThousand(), peerName, peer.cost().loadgenMsPerThousand(),
            peer.cost().machineBusy() * 100),
        wsgrid.cpuMsPerThousand() > 0 ? String.format(Locale.ROOT, "%.2f× the peer's", wsgrid.cpuMsPerThousand() / peer.cpuMsPerThousand()) : "—",
        "—", "(informative)"});
  }

  private void section(String title) {
    log("== %s (%.0f s into the comparison)", title, (System.nanoTime() - started) / 1e9);
  }

  private void log(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    System.err.println(line);
    log.append(line).append('\n');
  }

  private void write() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# wsgrid benchmark results\n\n");
    md.append("Generated by `src/bench/run.sh` (`java -jar target/wsgrid.jar bench compare").append(settings.quick() ? " --quick" : "")
        .append("`) on ").append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append(", ")
        .append(settings.runs()).append(" run(s) per measurement, medians; the whole comparison took ")
        .append(Math.round((System.nanoTime() - started) / 60e9 * 10) / 10.0).append(" min.\n\n");
    md.append("| measurement | wsgrid | peer | ratio | target | |\n|---|---|---|---|---|---|\n");
    for (String[] row : summary) md.append("| ").append(String.join(" | ", row)).append(" |\n");
    md.append("\n## Missed targets: the gap and its cause\n\n");
    if (misses.isEmpty()) md.append("Every target was met in this run.\n");
    for (String[] miss : misses) md.append("- **").append(miss[0]).append("**: ").append(miss[1]).append(". ").append(Gaps.cause(miss[0])).append('\n');
    if (!misses.isEmpty()) md.append("\nThe measurements behind each cause, and how they were taken: `src/bench/README.md`.\n");
    md.append("\n## Machine and versions\n\n");
    for (String line : servers.versions()) md.append("- ").append(line).append('\n');
    md.append("\n## How each number is measured\n\n").append(Servers.METHOD);
    md.append("\n## Log of this run\n\n```\n").append(log).append("```\n");
    Files.createDirectories(settings.out().toAbsolutePath().getParent());
    Files.writeString(settings.out(), md);
    System.err.println("wrote " + settings.out());
  }

  static String fmt(double value) {
    return String.format(Locale.ROOT, "%,d", Math.round(value));
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static boolean portOpen(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

}
