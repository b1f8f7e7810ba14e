package io.wsgrid.compare;

import io.wsgrid.bench.FanoutScenario;
import io.wsgrid.bench.Wire;
import io.wsgrid.compare.Sweeps.Contender;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Server CPU per publication with one subscriber each: one wsgrid node, one Node.js {@code ws}
 * process and one Socket.IO process with its Redis, 2,000 subscribers on 2,000 channels, at a few
 * fixed rates, warm, taking turns step by step (target: wsgrid ≤ 30 µs per publication at the
 * highest rate all three held).
 */
final class CpuSection implements Section {
  static final double TARGET_US = 30;
  static final double[] RATES = {4_000, 8_000, 12_000};

  @Override
  public String name() {
    return "cpu";
  }

  /**
   * What one server did at one rate over the runs: µs per publication and p99 of each run, and
   * whether each run held the rate.
   */
  record AtRate(double rate, double[] usPerPublication, double[] p99, boolean[] passed) {
    /** Held when most runs passed (p99 under 50 ms, nothing lost, the rate acked). */
    boolean held() {
      int passes = 0;
      for (boolean p : passed) if (p) passes++;
      return passes * 2 > passed.length;
    }

    double us() {
      return Comparison.median(usPerPublication);
    }

    /** The median µs per publication, marked when the rate was not held. */
    String describe() {
      String us = String.format(Locale.ROOT, "%.1f µs", us());
      return held()
          ? us
          : us + String.format(Locale.ROOT, " (not held: p99 %.0f ms)", Comparison.median(p99));
    }
  }

  /**
   * The index of the highest rate every server held ({@code byServer.get(s)[r]} for rate {@code
   * r}), or -1 when there is none.
   */
  static int highestHeldByAll(List<AtRate[]> byServer, int rates) {
    for (int r = rates - 1; r >= 0; r--) {
      final int rate = r;
      if (byServer.stream().allMatch(server -> server[rate].held())) return r;
    }
    return -1;
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    Servers servers = c.servers();
    Comparison.Shape shape =
        c.settings().quick()
            ? new Comparison.Shape(500, 500, 4, 128)
            : new Comparison.Shape(2000, 2000, 4, 128);
    double seconds = c.settings().quick() ? 2 : 4;
    String node =
        servers.wsgridNode(
            "cpu-node", p + 42, p + 47, "bench-cpu", Servers.DEFAULT_HEAP, Servers.members(p + 47));
    servers.node("cpu-ws", c.peer("ws-server.js"), p + 5);
    servers.redis("cpu-redis", p + 27);
    servers.node("cpu-sio", c.peer("socketio-server.js"), p + 28, "redis://127.0.0.1:" + (p + 27));
    List<Contender> contenders =
        List.of(
            new Contender("wsgrid node", "wsgrid", List.of(node), RATES[0], List.of("cpu-node")),
            new Contender(
                "Node ws",
                "wsgrid",
                List.of("ws://127.0.0.1:" + (p + 5) + "/ws"),
                RATES[0],
                List.of("cpu-ws")),
            new Contender(
                "Socket.IO + Redis",
                "socketio",
                List.of("ws://127.0.0.1:" + (p + 28)),
                RATES[0],
                List.of("cpu-sio", "cpu-redis")));
    List<FanoutScenario> scenarios = new ArrayList<>();
    try {
      for (Contender who : contenders) {
        FanoutScenario scenario =
            new FanoutScenario(
                c.vertx(),
                Wire.of(who.protocol()),
                new FanoutScenario.Settings(
                    who.targets(),
                    shape.subscribers(),
                    shape.channels(),
                    shape.publishers(),
                    shape.size(),
                    1,
                    200,
                    c.sweeps().prefix(Sweeps.Names.PER_SWEEP)));
        scenarios.add(scenario);
        scenario.setup();
        c.steps().warmUp(who.label(), scenario, RATES[0], who.serving(), Steps.BeforeStep.NOTHING);
      }
      List<AtRate[]> byServer = measure(c, contenders, scenarios, seconds);
      report(c, shape, byServer);
    } finally {
      for (FanoutScenario scenario : scenarios) scenario.close();
      for (String name : List.of("cpu-sio", "cpu-redis", "cpu-ws", "cpu-node")) servers.stop(name);
    }
  }

  /** Every rate, {@code runs} times, each server in turn at each step: what each held and spent. */
  private static List<AtRate[]> measure(
      Comparison c, List<Contender> contenders, List<FanoutScenario> scenarios, double seconds)
      throws Exception {
    int runs = c.settings().runs();
    int n = contenders.size();
    double[][][] us = new double[n][RATES.length][runs];
    double[][][] p99 = new double[n][RATES.length][runs];
    boolean[][][] passed = new boolean[n][RATES.length][runs];
    for (int run = 0; run < runs; run++) {
      for (int r = 0; r < RATES.length; r++) {
        for (int s = 0; s < n; s++) {
          Contender who = contenders.get(s);
          Steps.Measured m = c.steps().measure(scenarios.get(s), RATES[r], seconds, who.serving());
          boolean ok = Steps.pass(m.report(), RATES[r], 0);
          us[s][r][run] = m.cost().serverUsPerPublication();
          p99[s][r][run] = m.report().number("latency_p99_ms");
          passed[s][r][run] = ok;
          c.results()
              .log(
                  "  %s run %d at %d/s: %s pub/s, p99 %s ms, drops %s, server CPU %.1f µs per publication, machine %.0f %% busy: %s",
                  who.label(),
                  run + 1,
                  Math.round(RATES[r]),
                  m.report().get("publications_per_s"),
                  m.report().get("latency_p99_ms"),
                  m.report().get("drops"),
                  m.cost().serverUsPerPublication(),
                  m.cost().machineBusy() * 100,
                  ok ? "held" : "NOT HELD");
          Thread.sleep(500);
        }
      }
    }
    List<AtRate[]> byServer = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      AtRate[] rates = new AtRate[RATES.length];
      for (int r = 0; r < RATES.length; r++)
        rates[r] = new AtRate(RATES[r], us[s][r], p99[s][r], passed[s][r]);
      byServer.add(rates);
    }
    return byServer;
  }

  private static void report(Comparison c, Comparison.Shape shape, List<AtRate[]> byServer) {
    String shapeText =
        Results.fmt(shape.subscribers())
            + " subscribers on "
            + Results.fmt(shape.channels())
            + " channels";
    for (int r = 0; r < RATES.length; r++) {
      AtRate wsgrid = byServer.get(0)[r];
      AtRate ws = byServer.get(1)[r];
      AtRate sio = byServer.get(2)[r];
      c.results()
          .informative(
              "server CPU per publication at "
                  + Results.fmt(RATES[r])
                  + "/s, one subscriber each ("
                  + shapeText
                  + "; lower is better)",
              wsgrid.describe(),
              ws.describe() + " (Node ws); " + sio.describe() + " (Socket.IO + Redis)",
              String.format(
                  Locale.ROOT,
                  "%.2f× Node ws's, %.2f× Socket.IO's",
                  wsgrid.us() / ws.us(),
                  wsgrid.us() / sio.us()));
    }
    int all = highestHeldByAll(byServer, RATES.length);
    String what =
        "server CPU per publication, one subscriber on one node (wsgrid µs per publication";
    if (all < 0) {
      c.results()
          .row(
              what + "; no rate of " + rateList() + " was held by all three)",
              "—",
              "—",
              "—",
              "≤ " + fmtUs(TARGET_US),
              false,
              "no rate all three held with p99 < 50 ms and nothing lost, so no figure to compare (the rows above show who held what)");
      return;
    }
    AtRate wsgrid = byServer.get(0)[all];
    c.results()
        .row(
            what + " at " + Results.fmt(RATES[all]) + "/s, the highest rate all three held)",
            fmtUs(wsgrid.us()),
            fmtUs(byServer.get(1)[all].us())
                + " (Node ws); "
                + fmtUs(byServer.get(2)[all].us())
                + " (Socket.IO + Redis)",
            "—",
            "≤ " + fmtUs(TARGET_US),
            wsgrid.us() <= TARGET_US,
            fmtUs(wsgrid.us()) + " against ≤ " + fmtUs(TARGET_US));
  }

  private static String rateList() {
    StringBuilder list = new StringBuilder();
    for (double rate : RATES) list.append(list.isEmpty() ? "" : ", ").append(Results.fmt(rate));
    return list + "/s";
  }

  private static String fmtUs(double us) {
    return String.format(Locale.ROOT, "%.1f µs", us);
  }
}
