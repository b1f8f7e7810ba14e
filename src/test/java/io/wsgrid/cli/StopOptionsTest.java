package io.wsgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.wsgrid.config.ConfigDefaults;
import io.wsgrid.config.ConfigException;
import io.wsgrid.config.ConfigFile;
import io.wsgrid.edge.EdgeSettings;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * How long a stop may take: a node's {@code --drain-timeout}, an edge's {@code
 * --close-spread-time}, from flag, env or file.
 */
class StopOptionsTest {

  private static Object parse(Map<String, String> env, JsonObject file, String... args) {
    CommandLine commandLine =
        new CommandLine(new Main()).setDefaultValueProvider(new ConfigDefaults(env, file));
    return commandLine.parseArgs(args).subcommand().commandSpec().userObject();
  }

  @Test
  void drainTimeoutDefaultsToFitANinetySecondGracePeriodAndReadsEnvAndFile() {
    assertThat(((NodeCommand) parse(Map.of(), new JsonObject(), "node")).drainTimeout)
        .isEqualTo(80);
    assertThat(
            ((NodeCommand) parse(Map.of("WSGRID_DRAIN_TIMEOUT", "300"), new JsonObject(), "node"))
                .drainTimeout)
        .isEqualTo(300);
    assertThat(
            ((NodeCommand)
                    parse(
                        Map.of(),
                        new JsonObject().put("node", new JsonObject().put("drain-timeout", 45)),
                        "node"))
                .drainTimeout)
        .isEqualTo(45);
    assertThat(
            ((NodeCommand) parse(Map.of(), ConfigFile.load("conf/wsgrid.production.yaml"), "node"))
                .drainTimeout)
        .isEqualTo(80);
  }

  @Test
  void closeSpreadTimeDefaultsToTenSecondsAndReadsFlagEnvAndFile() {
    assertThat(((EdgeCommand) parse(Map.of(), new JsonObject(), "edge")).closeSpreadTime)
        .isEqualTo(10);
    assertThat(
            ((EdgeCommand) parse(Map.of("WSGRID_CLOSE_SPREAD_TIME", "0"), new JsonObject(), "edge"))
                .closeSpreadTime)
        .isZero();
    assertThat(
            ((EdgeCommand)
                    parse(
                        Map.of(),
                        new JsonObject()
                            .put("edge", new JsonObject().put("close-spread-time", 2.5)),
                        "edge"))
                .closeSpreadTime)
        .isEqualTo(2.5);
    assertThat(
            ((EdgeCommand)
                    parse(
                        Map.of("WSGRID_CLOSE_SPREAD_TIME", "0"),
                        new JsonObject(),
                        "edge",
                        "--close-spread-time",
                        "30"))
                .closeSpreadTime)
        .isEqualTo(30);
  }

  @Test
  void badValuesSayWhichOptionToFix() {
    assertThatThrownBy(
            () ->
                new EdgeSettings(
                    "e",
                    "127.0.0.1",
                    8080,
                    "least-connections",
                    1.25,
                    Set.of(EdgeSettings.Mode.PROXY),
                    3,
                    1,
                    0.1,
                    0,
                    null,
                    null,
                    null,
                    -1000))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--close-spread-time");
    assertThat(Main.run(new String[] {"node", "--drain-timeout", "0"})).isEqualTo(2);
    assertThat(Main.run(new String[] {"edge", "--close-spread-time", "-1"})).isEqualTo(2);
  }
}
