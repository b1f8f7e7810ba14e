package io.wsgrid.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What a comparison found, written as RESULTS.md: one summary row per measurement (wsgrid, the
 * peer, the ratio, the target, met or missed), each missed target with its gap and cause ({@link
 * Analysis}), the machine and versions, the method, and the log of the run (also printed on stderr
 * as it goes).
 */
final class Results {
  private final Analysis analysis;
  private final List<String[]> rows = new ArrayList<>();

  /** Each missed target: {row, how far off}. */
  private final List<String[]> misses = new ArrayList<>();

  private final StringBuilder log = new StringBuilder();

  /** Tables of their own ({@link #table}), in markdown, written after the missed targets. */
  private final StringBuilder tables = new StringBuilder();

  private final long started = System.nanoTime();

  Results(Analysis analysis) {
    this.analysis = analysis;
  }

  /** A row whose target is a ratio of at least {@code goal}. */
  void target(String what, String wsgrid, String peer, double ratio, double goal) {
    row(
        what,
        wsgrid,
        peer,
        String.format(Locale.ROOT, "%.2f×", ratio),
        "≥ " + goal + "×",
        ratio >= goal,
        Analysis.ratioGap(ratio, goal));
    log("%s: wsgrid %s, peer %s, ratio %.2f (target %.1f)", what, wsgrid, peer, ratio, goal);
  }

  /**
   * A row with a target of its own; {@code gap} says how far off it is when {@code met} is false.
   */
  void row(
      String what,
      String wsgrid,
      String peer,
      String ratio,
      String target,
      boolean met,
      String gap) {
    rows.add(new String[] {what, wsgrid, peer, ratio, target, met ? "met" : "missed"});
    if (!met) misses.add(new String[] {what, gap});
  }

  /** A row without a target. */
  void informative(String what, String wsgrid, String peer, String ratio) {
    rows.add(new String[] {what, wsgrid, peer, ratio, "—", "(informative)"});
  }

  /**
   * An informative row: the serving processes' CPU per 1,000 deliveries at the best passing steps
   * (lower is better), with the load generator's and how busy the machine was then.
   */
  void cpu(String what, Sweeps.Swept wsgrid, Sweeps.Swept peer, String peerName) {
    cost(
        what
            + ": server CPU per 1,000 deliveries at the best step (lower is better); load generator's; machine busy",
        wsgrid,
        peer,
        peerName,
        Steps.Cost::serverMsPerThousand,
        "ms");
  }

  /**
   * An informative row: the serving processes' CPU per publication at the best passing steps (lower
   * is better; with one subscriber per channel a publication is a delivery), with the load
   * generator's per 1,000 deliveries and how busy the machine was then.
   */
  void cpuPerPublication(String what, Sweeps.Swept wsgrid, Sweeps.Swept peer, String peerName) {
    cost(
        what
            + ": server CPU per publication at the best step (lower is better); load generator's per 1,000 deliveries; machine busy",
        wsgrid,
        peer,
        peerName,
        Steps.Cost::serverUsPerPublication,
        "µs");
  }

  /**
   * An informative row of the servers' {@code figure} (in {@code unit}) at their best steps, the
   * load generator's, the machine's busy share.
   */
  private void cost(
      String row,
      Sweeps.Swept wsgrid,
      Sweeps.Swept peer,
      String peerName,
      ToDoubleFunction<Steps.Cost> figure,
      String unit) {
    Steps.Cost w = wsgrid.cost();
    Steps.Cost p = peer.cost();
    double mine = figure.applyAsDouble(w);
    double theirs = figure.applyAsDouble(p);
    informative(
        row,
        costText(mine, unit, w, ""),
        costText(theirs, unit, p, " (" + peerName + ")"),
        mine > 0 && theirs > 0
            ? String.format(Locale.ROOT, "%.2f× the peer's", mine / theirs)
            : "—");
  }

  private static String costText(double figure, String unit, Steps.Cost cost, String who) {
    if (cost.equals(Steps.Cost.NONE)) return "— (no step passed)" + who;
    return String.format(
        Locale.ROOT,
        "%.1f %s%s; %.1f ms; %.0f %%",
        figure,
        unit,
        who,
        cost.loadgenMsPerThousand(),
        cost.machineBusy() * 100);
  }

  /**
   * A table of its own under the summary (samples a section took over time), with a line saying
   * what it shows.
   */
  void table(String title, String about, List<String> header, List<List<String>> body) {
    StringBuilder md =
        new StringBuilder("\n## ").append(title).append("\n\n").append(about).append("\n\n");
    md.append("| ").append(String.join(" | ", header)).append(" |\n|");
    md.append("---|".repeat(header.size())).append('\n');
    for (List<String> line : body) md.append("| ").append(String.join(" | ", line)).append(" |\n");
    tables.append(md);
  }

  void section(String title) {
    log("== %s (%.0f s into the comparison)", title, (System.nanoTime() - started) / 1e9);
  }

  void log(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    System.err.println(line);
    log.append(line).append('\n');
  }

  /**
   * Writes RESULTS.md: the rows, the misses with their causes, {@code versions}, the method of the
   * sections run, the log.
   */
  void write(Settings settings, List<String> versions) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# wsgrid benchmark results\n\n");
    md.append("Generated by `src/bench/run.sh")
        .append(settings.quick() ? " --quick" : "")
        .append("` on ")
        .append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
        .append(", ")
        .append(settings.runs())
        .append(" run(s) per measurement, medians; the whole comparison took ")
        .append(Math.round((System.nanoTime() - started) / 60e9 * 10) / 10.0)
        .append(" min.\n\n");
    md.append("| measurement | wsgrid | peer | ratio | target | |\n|---|---|---|---|---|---|\n");
    for (String[] row : rows) md.append("| ").append(String.join(" | ", row)).append(" |\n");
    md.append("\n## Missed targets: the gap and its cause\n\n");
    if (misses.isEmpty()) md.append("Every target was met in this run.\n");
    for (String[] miss : misses) {
      md.append("- **")
          .append(miss[0])
          .append("**: ")
          .append(miss[1])
          .append(". ")
          .append(analysis.cause(miss[0]))
          .append('\n');
    }
    if (!misses.isEmpty())
      md.append(
          "\nThe measurements behind each cause, and how they were taken: `src/bench/README.md`.\n");
    md.append(tables);
    md.append("\n## Machine and versions\n\n");
    for (String line : versions) md.append("- ").append(line).append('\n');
    md.append("\n## How each number is measured\n\n").append(analysis.method()).append('\n');
    for (Section section : settings.sections())
      md.append(analysis.method(section.name())).append('\n');
    md.append("\n## Log of this run\n\n```\n").append(log).append("```\n");
    Path out = settings.out().toAbsolutePath();
    Files.createDirectories(out.getParent());
    Files.writeString(out, md);
    System.err.println("wrote " + settings.out());
  }

  static String fmt(double value) {
    return String.format(Locale.ROOT, "%,d", Math.round(value));
  }
}
