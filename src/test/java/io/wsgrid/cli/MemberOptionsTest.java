package io.wsgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.config.ConfigDefaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code node} and {@code edge} take the cluster-member options alike: one mixin, the same names,
 * env vars and defaults.
 */
class MemberOptionsTest {
  /**
   * The options both commands had before they shared a mixin (DESIGN.md: the names are a contract).
   */
  private static final Set<String> SHARED =
      Set.of(
          "--host",
          "--admin-token",
          "--handshake-timeout",
          "--tls-cert",
          "--tls-key",
          "--tls-ca",
          "--config",
          "--cluster-name",
          "--cluster-config",
          "--cluster-members",
          "--cluster-port",
          "--log-format",
          "--cluster-tls",
          "--exit-with-parent");

  private static final Set<String> NODE_ONLY =
      Set.of(
          "--port",
          "--advertise-host",
          "--name",
          "--instances",
          "--weight",
          "--max-frame-size",
          "--drain-rate",
          "--channel-idle-seconds",
          "--drain-timeout",
          "--max-queued-bytes",
          "--max-subscriptions",
          "--max-message-rate",
          "--message-burst",
          "--max-connections",
          "--max-pending-handshakes",
          "--ping-interval",
          "--idle-timeout",
          "--auth-timeout",
          "--jwt-secret",
          "--jwt-public-key",
          "--jwt-audience",
          "--jwt-issuer",
          "--allow-anonymous",
          "--api-key",
          "--allowed-origins",
          "--help",
          "--version");
  private static final Set<String> EDGE_ONLY =
      Set.of(
          "--port",
          "--name",
          "--strategy",
          "--hash-balance-factor",
          "--mode",
          "--max-attempts",
          "--rebalance-threshold",
          "--auto-rebalance",
          "--auto-rebalance-after",
          "--instances",
          "--close-spread-time",
          "--help",
          "--version");

  /** The TLS options name files that must be readable: empty ones will do for parsing. */
  @TempDir static Path pems;

  private static String pem(String name) {
    try {
      Path file = pems.resolve(name);
      if (!Files.exists(file)) Files.createFile(file);
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MemberOptions parse(
      Map<String, String> env, JsonObject file, String command, List<String> args) {
    CommandLine cli =
        new CommandLine(new Main()).setDefaultValueProvider(new ConfigDefaults(env, file));
    String[] line = new String[args.size() + 1];
    line[0] = command;
    for (int i = 0; i < args.size(); i++) line[i + 1] = args.get(i);
    Object parsed = cli.parseArgs(line).subcommand().commandSpec().userObject();
    return parsed instanceof NodeCommand node ? node.member : ((EdgeCommand) parsed).member;
  }

  private static Set<String> optionNames(String command) {
    Set<String> names = new TreeSet<>();
    new CommandLine(new Main())
        .getSubcommands()
        .get(command)
        .getCommandSpec()
        .options()
        .forEach(o -> names.add(o.longestName()));
    return names;
  }

  @ParameterizedTest
  @ValueSource(strings = {"node", "edge"})
  void everySharedFlagParses(String command) {
    List<String> flags =
        List.of(
            "--host",
            "0.0.0.0",
            "--admin-token",
            "admin-token-0123456789",
            "--handshake-timeout",
            "7",
            "--tls-cert",
            pem("c.pem"),
            "--tls-key",
            pem("k.pem"),
            "--tls-ca",
            pem("ca.pem"),
            "--cluster-name",
            "blue",
            "--cluster-config",
            "hz.yaml",
            "--cluster-members",
            "10.0.0.1:5701,10.0.0.2",
            "--cluster-port",
            "5801",
            "--log-format",
            "json",
            "--cluster-tls",
            "--exit-with-parent",
            "42",
            "--config",
            "w.yaml");
    MemberOptions member = parse(Map.of(), new JsonObject(), command, flags);
    assertThat(member.host).isEqualTo("0.0.0.0");
    assertThat(member.adminToken).isEqualTo("admin-token-0123456789");
    assertThat(member.handshakeTimeout).isEqualTo(7);
    assertThat(member.config).isEqualTo("w.yaml");
    assertThat(member.tlsSettings().cert()).isEqualTo(pem("c.pem"));
    assertThat(member.tlsSettings().key()).isEqualTo(pem("k.pem"));
    assertThat(member.cluster.logFormat).isEqualTo("json");
    assertThat(member.parentPid).isEqualTo(42);
    ClusterSettings cluster = member.clusterSettings("m1");
    assertThat(cluster.clusterName()).isEqualTo("blue");
    assertThat(cluster.configPath()).isEqualTo("hz.yaml");
    assertThat(cluster.members()).containsExactly("10.0.0.1:5701", "10.0.0.2");
    assertThat(cluster.port()).isEqualTo(5801);
    assertThat(cluster.memberName()).isEqualTo("m1");
    assertThat(cluster.eventBusTls().ca())
        .as("--cluster-tls with --tls-*")
        .isEqualTo(pem("ca.pem"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"node", "edge"})
  void sharedDefaultsComeFromTheEnvironmentThenTheCommandsSectionOfTheFile(String command) {
    MemberOptions defaults = parse(Map.of(), new JsonObject(), command, List.of());
    assertThat(defaults.host).isEqualTo("127.0.0.1");
    assertThat(defaults.handshakeTimeout).isEqualTo(10);
    assertThat(defaults.adminToken).isNull();
    assertThat(defaults.clusterSettings("m1").clusterName()).isEqualTo("wsgrid");
    assertThat(defaults.clusterSettings("m1").eventBusTls().enabled()).isFalse();
    assertThat(defaults.cluster.logFormat).isEqualTo("text");

    Map<String, String> env =
        Map.of(
            "WSGRID_HOST",
            "10.1.1.1",
            "WSGRID_CLUSTER_NAME",
            "green",
            "WSGRID_HANDSHAKE_TIMEOUT",
            "3",
            "WSGRID_TLS_CERT",
            pem("env.pem"),
            "WSGRID_TLS_KEY",
            pem("env-key.pem"));
    JsonObject file =
        new JsonObject()
            .put(
                command,
                new JsonObject()
                    .put("host", "10.2.2.2")
                    .put("cluster-port", 5901)
                    .put("log-format", "json"));
    MemberOptions configured = parse(env, file, command, List.of());
    assertThat(configured.host).isEqualTo("10.1.1.1");
    assertThat(configured.handshakeTimeout).isEqualTo(3);
    assertThat(configured.tlsSettings().cert()).isEqualTo(pem("env.pem"));
    assertThat(configured.clusterSettings("m1").clusterName()).isEqualTo("green");
    assertThat(configured.clusterSettings("m1").port()).isEqualTo(5901);
    assertThat(configured.cluster.logFormat).isEqualTo("json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"node", "edge"})
  void bothCommandsKeepEverySharedOptionAndShowItsDefault(String command) {
    Set<String> expected = new TreeSet<>(SHARED);
    expected.addAll(command.equals("node") ? NODE_ONLY : EDGE_ONLY);
    assertThat(optionNames(command))
        .as("%s takes the options it always took", command)
        .isEqualTo(expected);
    CommandLine cli = new CommandLine(new Main()).getSubcommands().get(command);
    String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF);
    for (String name : SHARED) {
      OptionSpec option = cli.getCommandSpec().findOption(name);
      if (option.hidden()) continue;
      assertThat(help).as("%s --help lists %s", command, name).contains(name);
    }
    assertThat(help)
        .contains(
            "Address to bind (default: 127.0.0.1",
            "(default: 10)",
            "(default: wsgrid)",
            "(default: text)");
  }
}
