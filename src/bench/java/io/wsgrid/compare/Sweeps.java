package io.wsgrid.compare;

import io.vertx.core.Vertx;
import io.wsgrid.bench.FanoutScenario;
import io.wsgrid.bench.Report;
import io.wsgrid.bench.Wire;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fan-out measurement every fan-out section uses: contenders take turns sweeping the
 * publication rate up to the best one whose p99 stays under {@link #P99_LIMIT_MS} with nothing
 * dropped, after a warm-up to the servers' steady state, and what each best step cost.
 */
final class Sweeps {
  static final double P99_LIMIT_MS = 50;
  private static final int WARMUP_ROUNDS = 45;
  private final Vertx vertx;
  private final Settings settings;
  private final Servers servers;
  private final Comparison.Shape shape;
  private final Results results;

  Sweeps(Vertx vertx, Settings settings, Servers servers, Comparison.Shape shape, Results results) {
    this.vertx = vertx;
    this.settings = settings;
    this.servers = servers;
    this.shape = shape;
    this.results = results;
  }

  /** A sweep's median result: deliveries/s, and what the best steps cost (medians of each figure). */
  record Swept(double deliveries, Cost cost) {}

  /**
   * What a step cost: the serving processes' CPU per 1,000 deliveries, this load generator's, and
   * the share of the machine's CPU time that was busy (all processes, from /proc/stat). A best step
   * with the machine near 100 % busy says the machine, not the server, set the limit.
   */
  record Cost(double serverMsPerThousand, double loadgenMsPerThousand, double machineBusy) {
    static final Cost NONE = new Cost(0, 0, 0);

    static Cost median(Cost[] costs) {
      return new Cost(Comparison.median(Arrays.stream(costs).mapToDouble(Cost::serverMsPerThousand).toArray()),
          Comparison.median(Arrays.stream(costs).mapToDouble(Cost::loadgenMsPerThousand).toArray()),
          Comparison.median(Arrays.stream(costs).mapToDouble(Cost::machineBusy).toArray()));
    }
  }

  /** A server set under test: its label, its wire protocol, its URLs, where its sweeps start, the processes serving it. */
  record Contender(String label, String protocol, List<String> targets, double startRate, List<String> serving) {}

  /**
   * For each contender, the median over runs of the best deliveries/s a sweep finds with p99 under
   * the limit, and its servers' CPU then (read around every step). The contenders take turns, run
   * by run, so a drift of the shared machine (another tenant, the JIT of a process both use)
   * weighs on each alike.
   */
  List<Swept> interleaved(List<Contender> contenders) throws Exception {
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
      double median = Comparison.median(best[c]);
      Cost costMedian = Cost.median(cost[c]);
      results.log("%s: best deliveries/s per run %s → median %s; server CPU per 1,000 deliveries at those steps %s ms → median %.1f ms"
          + " (load generator %.1f ms, machine %.0f %% busy)",
          contenders.get(c).label(), Arrays.toString(Arrays.stream(best[c]).mapToLong(Math::round).toArray()), Results.fmt(median),
          Arrays.toString(Arrays.stream(cost[c]).mapToDouble(x -> Math.round(x.serverMsPerThousand() * 10) / 10.0).toArray()),
          costMedian.serverMsPerThousand(), costMedian.loadgenMsPerThousand(), costMedian.machineBusy() * 100);
      swept.add(new Swept(median, costMedian));
    }
    return swept;
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
        results.log("  %s: %s/s asked → %s pub/s, %s deliveries/s, p50 %s p99 %s ms, drops %s, errors %s, server CPU %.1f ms/1k,"
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
        results.log("  %s: %s/s asked → %s deliveries/s, p99 %s ms, server CPU %.1f ms/1k, machine %.0f %% busy: %s", label, Math.round(middle),
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
      results.log("  %s warm-up round %d: %s/s, server CPU %.1f ms/1k, JIT compilers %.0f %% of a core%s", label, round, Math.round(rate),
          cpu, jitShare * 100, settled ? ": steady" : "");
      if (settled) return;
      previous = cpu;
    }
    results.log("  %s: not steady after %d warm-up rounds; measuring anyway", label, rounds);
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
}
