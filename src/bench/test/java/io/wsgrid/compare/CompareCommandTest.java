package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The harness's command line: the options run.sh passes on, their defaults, and bad usage. */
class CompareCommandTest {
  @Test
  void helpListsEveryOptionWithItsDefault() {
    String help =
        new CommandLine(new CompareCommand())
            .setUsageHelpWidth(300)
            .getUsageMessage(CommandLine.Help.Ansi.OFF)
            .replaceAll("\\s+", " ");
    assertThat(help)
        .contains(
            "--runs",
            "(default: 3)",
            "--quick",
            "--out",
            "(default: src/bench/RESULTS.md)",
            "--jvm-flags",
            "--peers",
            "--prose",
            "(default: src/bench)",
            "--port",
            "(default: 9100)")
        .contains(
            "--only",
            "single, idle, cpu, small, state, cluster, edge, balance, million (default: all but million")
        .contains("--million-channels", "(default: 1000000; 300000 with --quick)");
  }

  @Test
  void optionsBecomeSettingsAndQuickMeansOneRun() {
    CompareCommand command = new CompareCommand();
    new CommandLine(command)
        .parseArgs(
            "--quick",
            "--runs",
            "5",
            "--only",
            "edge,cluster",
            "--jvm-flags",
            " -XX:+UseZGC  -Xss512k ");
    Settings settings = command.settings();
    assertThat(settings.runs()).isOne();
    assertThat(settings.quick()).isTrue();
    assertThat(settings.sections()).extracting(Section::name).containsExactly("cluster", "edge");
    assertThat(settings.jvmFlags()).containsExactly("-XX:+UseZGC", "-Xss512k");
    assertThat(settings.millionChannels())
        .as("--quick publishes to fewer channels")
        .isEqualTo(300_000);
  }

  @Test
  void theMillionSectionsCountIsTheOptionsWhenGiven() {
    CompareCommand command = new CompareCommand();
    new CommandLine(command)
        .parseArgs("--quick", "--only", "million", "--million-channels", "30000");
    assertThat(command.settings().millionChannels()).isEqualTo(30_000);
    CompareCommand full = new CompareCommand();
    new CommandLine(full).parseArgs();
    assertThat(full.settings().millionChannels()).isEqualTo(1_000_000);
  }

  @Test
  void anUnknownSectionExitsWithTwoAndTheKnownOnes() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(CompareCommand.run(new String[] {"--only", "clsuter"})).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains(
            "compare: --only takes single, idle, cpu, small, state, cluster, edge, balance, million; got 'clsuter'");
  }
}
