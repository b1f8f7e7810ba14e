package io.wsgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsgrid.testing.Ports;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code bench --help} and each scenario's: every option says what it does and its default; options
 * a scenario cannot honour are refused.
 */
class BenchCommandTest {
  private static CommandLine bench() {
    return new CommandLine(new Main()).getSubcommands().get("bench");
  }

  @Test
  void everyOptionOfEveryScenarioIsDescribedWithItsDefault() {
    List<CommandLine> commands = new ArrayList<>(List.of(bench()));
    commands.addAll(bench().getSubcommands().values());
    assertThat(commands)
        .extracting(CommandLine::getCommandName)
        .containsExactly("bench", "fanout", "connect", "idle", "balance", "channels");
    for (CommandLine command : commands) {
      for (OptionSpec option : command.getCommandSpec().options()) {
        if (option.usageHelp() || option.versionHelp()) continue;
        String description = String.join(" ", option.description());
        assertThat(description)
            .as("bench %s %s: what it does", command.getCommandName(), option.longestName())
            .isNotBlank();
        assertThat(description)
            .as("bench %s %s: its default", command.getCommandName(), option.longestName())
            .contains("default");
      }
    }
  }

  @Test
  void fanoutHelpShowsTheShapeOptionsWithTheirDefaultValues() {
    String help =
        bench()
            .getSubcommands()
            .get("fanout")
            .setUsageHelpWidth(300)
            .getUsageMessage(CommandLine.Help.Ansi.OFF)
            .replaceAll("\\s+", " ");
    assertThat(help)
        .contains("--subscribers=<subscribers> Subscriber sockets")
        .contains("--channels=<channels> Channels")
        .contains(
            "--publishers=<publishers> Publisher sockets sharing --rate, each with at most 2000 publications unacked (default: 4)")
        .contains("(default: 1000)", "(default: 10)", "(default: ws://127.0.0.1:8080/ws)")
        .doesNotContain("${DEFAULT-VALUE}");
  }

  @Test
  void theComparisonIsNoLongerABenchCommand() {
    assertThat(bench().getSubcommands()).doesNotContainKey("compare");
    assertThat(bench().getUsageMessage(CommandLine.Help.Ansi.OFF)).contains("src/bench/run.sh");
  }

  @Test
  void balanceRefusesAProtocolItDoesNotSpeak() {
    String closed =
        "ws://127.0.0.1:" + Ports.free() + "/ws"; // without the check: exit 1, nothing listens
    assertThat(
            Main.run(
                new String[] {
                  "bench", "balance", "--protocol", "socketio", "--sockets", "1", "--target", closed
                }))
        .isEqualTo(2);
  }

  @Test
  void channelsPublishesOnlyToLoopbackNodesAndSaysHow() {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(
              Main.run(
                  new String[] {
                    "bench", "channels", "--count", "1", "--target", "http://10.1.2.3:8081"
                  }))
          .isEqualTo(2);
      assertThat(
              Main.run(
                  new String[] {
                    "bench", "channels", "--count", "1", "--target", "ws://127.0.0.1:8081/ws"
                  }))
          .isEqualTo(2);
      assertThat(
              Main.run(
                  new String[] {
                    "bench",
                    "channels",
                    "--count",
                    "0",
                    "--target",
                    "http://127.0.0.1:" + Ports.free()
                  }))
          .isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains(
            "--target must be a node's http:// URL (e.g. http://127.0.0.1:8081) on loopback (127.0.0.0/8)")
        .contains("--count must be between 1 and 100000000; got 0");
  }
}
