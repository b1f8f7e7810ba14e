package io.wsgrid.compare;

import io.wsgrid.bench.Bench;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The comparison harness's command line, run by {@code src/bench/run.sh} with the product jar and
 * the harness's classes on the class path: wsgrid side by side with its peers, written to
 * RESULTS.md. Exit codes as the product's: 0 done, 1 failure, 2 bad usage.
 */
@Command(
    name = "compare",
    sortOptions = false,
    description =
        "Start wsgrid and its peers (Node ws, Socket.IO + Redis adapter, HAProxy) on loopback, run the load generator's"
            + " scenarios against them side by side and write RESULTS.md. Run it through src/bench/run.sh, which installs the peers.")
public final class CompareCommand implements Callable<Integer> {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = "Runs of each measurement; medians are reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--quick",
      description =
          "Small counts and one run: checks the setup in a few minutes, not for numbers (default: off).")
  boolean quick;

  @Option(
      names = "--only",
      split = ",",
      paramLabel = "<section>",
      description =
          "Run only these sections, comma-separated: ${COMPLETION-CANDIDATES} (default: all but million, which takes minutes of its own).",
      completionCandidates = SectionNames.class)
  List<String> only = List.of();

  @Option(
      names = "--out",
      defaultValue = "src/bench/RESULTS.md",
      description =
          "Where the results go; write a partial run (--only, --quick) elsewhere (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--jvm-flags",
      paramLabel = "<flags>",
      defaultValue = "",
      description =
          "Extra JVM flags for the wsgrid nodes and edges it starts, space-separated, e.g. \"-XX:+UseZGC\" (default: none).")
  String jvmFlags;

  @Option(
      names = "--peers",
      defaultValue = "src/bench/peers",
      description = "Directory of the Node.js peers, npm ci done (default: ${DEFAULT-VALUE}).")
  Path peers;

  @Option(
      names = "--prose",
      defaultValue = "src/bench",
      description =
          "Directory of method.md and sections/<name>.md, the analysis RESULTS.md inlines (default: ${DEFAULT-VALUE}).")
  Path prose;

  @Option(
      names = "--port",
      defaultValue = "9100",
      description =
          "First of the ports the comparison uses, and the 70 after it (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--million-channels",
      paramLabel = "<count>",
      description =
          "Distinct channels the million section (--only million) publishes to (default: 1000000; 300000 with --quick).")
  Long millionChannels;

  /** The section names, for {@code --only}'s help. */
  static final class SectionNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Sections.names().iterator();
    }
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    return new CommandLine(new CompareCommand())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("compare: " + e.getMessage());
                return 2;
              }
              if (e instanceof IllegalStateException) { // says what is missing and what to do
                cmd.getErr().println("compare: " + e.getMessage());
                return 1;
              }
              cmd.getErr()
                  .println(
                      "compare: "
                          + e
                          + " (logs of the servers: target/bench-logs/; --help for usage)");
              return 1;
            })
        .execute(args);
  }

  /**
   * The settings the options say; a bad value is an {@link IllegalArgumentException} naming the
   * option.
   */
  Settings settings() {
    return new Settings(
        quick ? 1 : runs,
        out,
        peers,
        prose,
        port,
        quick,
        new LinkedHashSet<>(only),
        jvmFlags.isBlank() ? List.of() : List.of(jvmFlags.strip().split("\\s+")),
        millionChannels != null ? millionChannels : quick ? 300_000 : 1_000_000);
  }

  @Override
  public Integer call() throws Exception {
    Settings settings = settings();
    Analysis analysis = Analysis.load(settings.prose(), Sections.names());
    try (Bench bench = new Bench()) {
      new Comparison(bench.vertx(), settings, analysis).run();
    }
    return 0;
  }
}
