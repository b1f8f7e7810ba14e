package io.wsgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsgrid.edge.balance.BalancingStrategy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every option of local, node and edge says in its --help line what it is when not given. */
class HelpDefaultsTest {
  @ParameterizedTest
  @ValueSource(strings = {"local", "node", "edge"})
  void everyOptionListsItsDefault(String command) {
    CommandLine cli = new CommandLine(new Main()).getSubcommands().get(command);
    List<OptionSpec> options =
        cli.getCommandSpec().options().stream()
            .filter(o -> !o.hidden() && !o.usageHelp() && !o.versionHelp())
            .toList();
    assertThat(options).isNotEmpty();
    String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF);
    for (OptionSpec option : options) {
      String description = String.join(" ", option.description());
      assertThat(description)
          .as("%s %s --help: %s", command, option.longestName(), description)
          .containsIgnoringCase("default");
      if (option.defaultValue() != null) {
        // The value itself, through ${DEFAULT-VALUE} (which also shows a default from the
        // environment or conf/wsgrid.yaml).
        assertThat(description)
            .as("%s %s shows its default %s", command, option.longestName(), option.defaultValue())
            .satisfiesAnyOf(
                d -> assertThat(d).contains("${DEFAULT-VALUE}"),
                d -> assertThat(d).contains(option.defaultValue()));
      }
    }
    assertThat(help).contains("(default: ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "edge"})
  void strategyCompletesAndListsEveryNameOfTheTable(String command) {
    CommandLine cli = new CommandLine(new Main()).getSubcommands().get(command);
    OptionSpec strategy = cli.getCommandSpec().findOption("--strategy");
    List<String> candidates = new ArrayList<>();
    strategy.completionCandidates().forEach(candidates::add);
    assertThat(candidates).isEqualTo(BalancingStrategy.NAMES);
    String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
    assertThat(help).contains(String.join(", ", candidates));
  }
}
