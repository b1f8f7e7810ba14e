package io.wsgrid.compare;

import io.wsgrid.bench.FanoutScenario;
import io.wsgrid.bench.Report;
import java.util.Arrays;
import java.util.List;

/**
 * Fan-out steps at a fixed rate, each with what it cost the processes serving it (read from /proc
 * around the step), and the warm-up every server gets before it is measured. Sweeps and fixed-rate
 * sections share both, so every figure is taken the same way.
 */
final class Steps {
  static final int WARMUP_ROUNDS = 45;
  private final Settings settings;
  private final Servers servers;
  private final Results results;

  Steps(Settings settings, Servers servers, Results results) {
    this.settings = settings;
    this.servers = servers;
    this.results = results;
  }

  /**
   * What a step cost: the serving processes' CPU per 1,000 deliveries and per publication, this
   * load generator's per 1,000 deliveries, and the share of the machine's CPU time that was busy
   * (all processes, from /proc/stat). A step with the machine near 100 % busy says the machine, not
   * the server, set the limit.
   */
  record Cost(
      double serverMsPerThousand,
      double loadgenMsPerThousand,
      double machineBusy,
      double serverUsPerPublication) {
    static final Cost NONE = new Cost(0, 0, 0, 0);

    static Cost median(Cost[] costs) {
      return new Cost(
          Comparison.median(Arrays.stream(costs).mapToDouble(Cost::serverMsPerThousand).toArray()),
          Comparison.median(Arrays.stream(costs).mapToDouble(Cost::loadgenMsPerThousand).toArray()),
          Comparison.median(Arrays.stream(costs).mapToDouble(Cost::machineBusy).toArray()),
          Comparison.median(
              Arrays.stream(costs).mapToDouble(Cost::serverUsPerPublication).toArray()));
    }

    /**
     * The cost of a step that spent {@code serverMs} and {@code loadgenMs} of CPU on {@code
     * report}'s publications and deliveries.
     */
    static Cost of(Report report, long serverMs, long loadgenMs, double machineBusy) {
      double thousands = report.number("deliveries") / 1000;
      double publications = report.number("publications");
      if (thousands <= 0) return NONE;
      return new Cost(
          serverMs / thousands,
          loadgenMs / thousands,
          machineBusy,
          publications > 0 ? serverMs * 1000.0 / publications : 0);
    }
  }

  /** A step and what it cost. */
  record Measured(Report report, Cost cost) {}

  /**
   * Something to do before each step or warm-up round (move the subscribers to new channels), not
   * measured.
   */
  interface BeforeStep {
    void run() throws Exception;

    BeforeStep NOTHING = () -> {};
  }

  /**
   * One step at {@code rate} publications/s for {@code seconds}, with the serving processes' CPU
   * around it.
   */
  Measured measure(FanoutScenario scenario, double rate, double seconds, List<String> serving)
      throws Exception {
    long before = servers.cpuMillis(serving);
    long loadgenBefore = Servers.ownCpuMillis();
    long[] machineBefore = Servers.machineJiffies();
    Report r = scenario.step(rate, seconds);
    long spent = servers.cpuMillis(serving) - before;
    long loadgen = Servers.ownCpuMillis() - loadgenBefore;
    long[] machineAfter = Servers.machineJiffies();
    double total = machineAfter[0] - machineBefore[0];
    double busy = total > 0 ? (machineAfter[1] - machineBefore[1]) / total : 0;
    return new Measured(r, Cost.of(r, spent, loadgen, busy));
  }

  /**
   * Brings the serving processes to their steady state before they are measured: rounds of 2 s at
   * {@code rate} until, two rounds in a row, the JIT compilers of the JVMs among them took under 10
   * % of a core and the servers' CPU per 1,000 deliveries stopped falling (within 10 % of the round
   * before); at least 3 rounds, at most {@link #WARMUP_ROUNDS} (3 with {@code --quick}). Here a
   * cold JVM spends about twice a warm one's CPU per delivery, and three fresh JVMs on 2 cores keep
   * their compilers busy for a minute or more (the code run once per publication gets hot a hundred
   * times slower than the code run once per delivery, hence a rate of four times the sweep's
   * start); a Node.js server settles in the first rounds. Every server gets the same rule.
   */
  void warmUp(
      String label, FanoutScenario scenario, double rate, List<String> serving, BeforeStep before)
      throws Exception {
    double roundSeconds = 2;
    double previous = Double.MAX_VALUE;
    int quiet = 0;
    int rounds = settings.quick() ? 3 : WARMUP_ROUNDS;
    for (int round = 1; round <= rounds; round++) {
      before.run();
      long jitBefore = servers.jitMillis(serving);
      Measured m = measure(scenario, rate, roundSeconds, serving);
      double jitShare = (servers.jitMillis(serving) - jitBefore) / (roundSeconds * 1000);
      double cpu = m.cost().serverMsPerThousand();
      quiet = jitShare < 0.10 && cpu >= 0.9 * previous ? quiet + 1 : 0;
      boolean settled = round >= 3 && quiet >= 2;
      results.log(
          "  %s warm-up round %d: %s/s, server CPU %.1f ms/1k, JIT compilers %.0f %% of a core%s",
          label, round, Math.round(rate), cpu, jitShare * 100, settled ? ": steady" : "");
      if (settled) return;
      previous = cpu;
    }
    results.log("  %s: not steady after %d warm-up rounds; measuring anyway", label, rounds);
  }

  /**
   * Whether a step passed: p99 under {@link Sweeps#P99_LIMIT_MS}, no error, at least 90 % of the
   * asked rate acked, and at most {@code lossAllowed} (a share) of the deliveries owed for acked
   * publications missing.
   */
  static boolean pass(Report r, double rate, double lossAllowed) {
    double owed = r.number("deliveries") + r.number("drops");
    return r.number("latency_p99_ms") < Sweeps.P99_LIMIT_MS
        && r.number("deliveries") >= (1 - lossAllowed) * owed
        && r.number("publications_per_s") >= 0.9 * rate
        && r.number("errors") == 0;
  }
}
