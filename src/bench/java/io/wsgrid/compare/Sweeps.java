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
 * dropped, after a warm-up to the servers' steady state ({@link Steps#warmUp}), and what each best
 * step cost.
 */
final class Sweeps {
  static final double P99_LIMIT_MS = 50;
  private final Vertx vertx;
  private final Settings settings;
  private final Comparison.Shape shape;
  private final Results results;
  private final Steps steps;

  /**
   * Part of every channel name this comparison makes up, so no name of an earlier comparison comes
   * back.
   */
  private final String run = Long.toHexString(System.nanoTime() & 0xFFFFFFL);

  private long named;

  Sweeps(Vertx vertx, Settings settings, Steps steps, Comparison.Shape shape, Results results) {
    this.vertx = vertx;
    this.settings = settings;
    this.shape = shape;
    this.results = results;
    this.steps = steps;
  }

  /** How a sweep names its channels. */
  enum Names {
    /** New names for each sweep, kept for all its steps (the fan-out sections). */
    PER_SWEEP,
    /**
     * New names before every step and warm-up round: every channel of a step is new to the server,
     * its first publication in the step.
     */
    FRESH,
    /**
     * The same names for every step and sweep of the comparison: every channel had publications
     * before.
     */
    REUSED
  }

  /**
   * What a sweep loads: its shape, how it names its channels, the share of the owed deliveries a
   * passing step may miss, and whether steps are ranked by publications/s (else deliveries/s).
   */
  record Load(Comparison.Shape shape, Names names, double lossAllowed, boolean byPublications) {
    /** The fan-out sections' load: a stall may cost a passing step up to 1 % of its deliveries. */
    static Load fanout(Comparison.Shape shape) {
      return new Load(shape, Names.PER_SWEEP, 0.01, false);
    }
  }

  /**
   * A sweep's median result: deliveries/s and publications/s of the best steps, and what they cost
   * (medians of each figure).
   */
  record Swept(double deliveries, double publications, Steps.Cost cost) {}

  /**
   * A server set under test: its label, its wire protocol, its URLs, where its sweeps start, the
   * processes serving it.
   */
  record Contender(
      String label,
      String protocol,
      List<String> targets,
      double startRate,
      List<String> serving) {}

  /** The channel-name prefix a sweep (or, with {@link Names#FRESH}, a step) starts from. */
  String prefix(Names names) {
    return switch (names) {
      case PER_SWEEP -> "bench.c" + run + "." + (++named) + ".";
      case FRESH -> "bench.f" + run + "." + (++named) + ".";
      case REUSED -> "bench.reused.";
    };
  }

  /** {@link #interleaved(Load, List)} with the fan-out sections' load. */
  List<Swept> interleaved(List<Contender> contenders) throws Exception {
    return interleaved(Load.fanout(shape), contenders);
  }

  /**
   * For each contender, the median over runs of the best rate a sweep finds with p99 under the
   * limit, and its servers' CPU then (read around every step). The contenders take turns, run by
   * run, so a drift of the shared machine (another tenant, the JIT of a process both use) weighs on
   * each alike.
   */
  List<Swept> interleaved(Load load, List<Contender> contenders) throws Exception {
    int n = contenders.size();
    String unit = load.byPublications() ? "publications/s" : "deliveries/s";
    Sweep[][] found = new Sweep[n][settings.runs()];
    double[] start = new double[n];
    for (int c = 0; c < n; c++) start[c] = contenders.get(c).startRate();
    for (int run = 0; run < settings.runs(); run++) {
      for (int c = 0; c < n; c++) {
        Contender who = contenders.get(c);
        Sweep result =
            sweep(
                who.label() + " run " + (run + 1),
                load,
                who.protocol(),
                who.targets(),
                start[c],
                who.serving(),
                run == 0);
        found[c][run] = result;
        // Later runs start one 1.5x step below the rate the first one passed: the same top end,
        // found without climbing from the bottom again (keeps the comparison within its time);
        // a start that fails steps down.
        if (run == 0 && result.passedRate() > 0)
          start[c] = Math.max(who.startRate(), result.passedRate() / 1.5);
      }
    }
    List<Swept> swept = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      Sweep[] runs = found[c];
      double[] best =
          Arrays.stream(runs)
              .mapToDouble(r -> load.byPublications() ? r.publications() : r.deliveries())
              .toArray();
      Steps.Cost[] costs = Arrays.stream(runs).map(Sweep::cost).toArray(Steps.Cost[]::new);
      Steps.Cost costMedian = Steps.Cost.median(costs);
      Swept result =
          new Swept(
              Comparison.median(Arrays.stream(runs).mapToDouble(Sweep::deliveries).toArray()),
              Comparison.median(Arrays.stream(runs).mapToDouble(Sweep::publications).toArray()),
              costMedian);
      results.log(
          "%s: best %s per run %s → median %s; server CPU at those steps %s ms per 1,000 deliveries → median %.1f ms,"
              + " %.1f µs per publication (load generator %.1f ms per 1,000 deliveries, machine %.0f %% busy)",
          contenders.get(c).label(),
          unit,
          Arrays.toString(Arrays.stream(best).mapToLong(Math::round).toArray()),
          Results.fmt(Comparison.median(best)),
          Arrays.toString(
              Arrays.stream(costs)
                  .mapToDouble(x -> Math.round(x.serverMsPerThousand() * 10) / 10.0)
                  .toArray()),
          costMedian.serverMsPerThousand(),
          costMedian.serverUsPerPublication(),
          costMedian.loadgenMsPerThousand(),
          costMedian.machineBusy() * 100);
      swept.add(result);
    }
    return swept;
  }

  /**
   * What a sweep found: the best passing step's deliveries/s and publications/s (best by the load's
   * measure), the highest publication rate that passed, and the cost then.
   */
  private record Sweep(
      double deliveries, double publications, double passedRate, Steps.Cost cost) {}

  /**
   * Raises the publication rate by 1.5× per step until a step fails ({@link Steps#pass}) twice in a
   * row — one stall (a GC pause, another process's burst on the shared cores) in a 2-second step is
   * not the server's capacity — then bisects twice between the last pass and the failure. A first
   * step that fails steps down instead.
   */
  private Sweep sweep(
      String label,
      Load load,
      String protocol,
      List<String> targets,
      double startRate,
      List<String> serving,
      boolean first)
      throws Exception {
    double stepSeconds = 2;
    Comparison.Shape shape = load.shape();
    try (FanoutScenario scenario =
        new FanoutScenario(
            vertx,
            Wire.of(protocol),
            new FanoutScenario.Settings(
                targets,
                shape.subscribers(),
                shape.channels(),
                shape.publishers(),
                shape.size(),
                1,
                200,
                prefix(load.names())))) {
      scenario.setup();
      Steps.BeforeStep before =
          load.names() == Names.FRESH
              ? () -> scenario.moveTo(prefix(Names.FRESH))
              : Steps.BeforeStep.NOTHING;
      // Not counted: before the first sweep the servers are brought to their steady state; before
      // a later one (same processes) 1 s for the new connections' buffers and pools. Then half a
      // second for queues to empty.
      if (first) {
        steps.warmUp(label, scenario, startRate * 4, serving, before);
      } else {
        before.run();
        scenario.step(startRate, 1);
      }
      Thread.sleep(500);
      Best best = new Best(load.byPublications());
      double passed = 0;
      double rate = startRate;
      double failedAt = 0;
      boolean retried = false;
      while (rate <= 200_000) {
        before.run();
        Steps.Measured m = steps.measure(scenario, rate, stepSeconds, serving);
        boolean ok = Steps.pass(m.report(), rate, load.lossAllowed());
        log(label, rate, m, ok);
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
        best.offer(m);
        rate *= 1.5;
      }
      // Narrow down between the last pass and the first failure, twice.
      for (int k = 0; k < 2 && failedAt > 0 && passed > 0; k++) {
        double middle = (passed + failedAt) / 2;
        before.run();
        Steps.Measured m = steps.measure(scenario, middle, stepSeconds, serving);
        boolean ok = Steps.pass(m.report(), middle, load.lossAllowed());
        log(label, middle, m, ok);
        Thread.sleep(250);
        if (ok) {
          best.offer(m);
          passed = middle;
        } else {
          failedAt = middle;
        }
      }
      return new Sweep(best.deliveries, best.publications, passed, best.cost);
    }
  }

  /** The best passing step so far, by deliveries/s or by publications/s. */
  private static final class Best {
    private final boolean byPublications;
    double deliveries;
    double publications;
    Steps.Cost cost = Steps.Cost.NONE;

    Best(boolean byPublications) {
      this.byPublications = byPublications;
    }

    void offer(Steps.Measured m) {
      double d = m.report().number("deliveries_per_s");
      double p = m.report().number("publications_per_s");
      if (byPublications ? p > publications : d > deliveries) {
        deliveries = d;
        publications = p;
        cost = m.cost();
      }
    }
  }

  private void log(String label, double rate, Steps.Measured m, boolean ok) {
    Report r = m.report();
    results.log(
        "  %s: %s/s asked → %s pub/s, %s deliveries/s, p50 %s p99 %s ms, drops %s, errors %s, server CPU %.1f ms/1k"
            + " (%.1f µs/pub), load generator %.1f ms/1k, machine %.0f %% busy: %s",
        label,
        Math.round(rate),
        r.get("publications_per_s"),
        r.get("deliveries_per_s"),
        r.get("latency_p50_ms"),
        r.get("latency_p99_ms"),
        r.get("drops"),
        r.get("errors"),
        m.cost().serverMsPerThousand(),
        m.cost().serverUsPerPublication(),
        m.cost().loadgenMsPerThousand(),
        m.cost().machineBusy() * 100,
        ok ? "pass" : "FAIL");
  }
}
