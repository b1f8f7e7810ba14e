package io.wsgrid.cli;

import io.wsgrid.config.ConfigException;
import io.wsgrid.edge.Edge;
import io.wsgrid.edge.EdgeSettings;
import io.wsgrid.edge.balance.BalancingStrategy;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wsgrid edge}: the balancer, a lite cluster member routing new sockets to nodes. */
@Command(
    name = "edge",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Run the edge balancer: routes each new WebSocket to a node (proxy) or tells the client where to go (assign).")
final class EdgeCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "HTTP and WebSocket port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--name",
      defaultValue = "edge1",
      description = "Edge name (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(
      names = "--strategy",
      defaultValue = "least-connections",
      completionCandidates = BalancingStrategy.Names.class,
      description = "One of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(
      names = "--hash-balance-factor",
      defaultValue = "1.25",
      description =
          "consistent-hash bounded load: no node takes more than ceil(c x mean) (c > 1; default: ${DEFAULT-VALUE}).")
  double hashBalanceFactor;

  @Option(
      names = "--mode",
      defaultValue = "proxy",
      split = ",",
      description =
          "proxy (tunnel /ws to a node), assign (GET /assign returns a node URL), or proxy,assign (default: ${DEFAULT-VALUE}).")
  List<String> modes;

  @Option(
      names = "--max-attempts",
      defaultValue = "3",
      description =
          "Nodes a new socket may try when a node cannot be reached (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(
      names = "--rebalance-threshold",
      defaultValue = "0.1",
      description =
          "POST /admin/rebalance sheds sockets of nodes more than this fraction above their fair share (default: ${DEFAULT-VALUE}).")
  double rebalanceThreshold;

  @Option(
      names = "--auto-rebalance",
      defaultValue = "false",
      description =
          "Rebalance by itself when a node stays more than the threshold over its fair share (see --auto-rebalance-after; default: ${DEFAULT-VALUE}).")
  boolean autoRebalance;

  @Option(
      names = "--auto-rebalance-after",
      defaultValue = "30",
      description =
          "Seconds the spread must stay over the threshold before an automatic rebalance, and the pause after one (default: ${DEFAULT-VALUE}).")
  double autoRebalanceAfter;

  @Option(
      names = "--instances",
      defaultValue = "0",
      description = "Event loops serving the edge (default: ${DEFAULT-VALUE} = one per core).")
  int instances;

  @Option(
      names = "--close-spread-time",
      defaultValue = "10",
      description =
          "Seconds over which a stopping edge (SIGTERM) closes its tunnels, evenly, so their clients reconnect "
              + "through the other edges a share at a time (0 = all at once; default: ${DEFAULT-VALUE}).")
  double closeSpreadTime;

  @Mixin MemberOptions member;

  @Override
  public Integer call() throws Exception {
    EdgeSettings settings =
        new EdgeSettings(
            name,
            member.host,
            port,
            strategy,
            hashBalanceFactor,
            parseModes(modes),
            maxAttempts,
            instances > 0 ? instances : Runtime.getRuntime().availableProcessors(),
            rebalanceThreshold,
            autoRebalance ? autoRebalanceAfterMs() : 0,
            member.clusterSettings(name),
            member.adminToken,
            member.tlsSettings(),
            Math.round(closeSpreadTime * 1000),
            member.handshakeTimeout);
    member.begin("edge", name, " as a lite member");
    Edge edge = Startup.await(Edge.start(settings), "edge " + name);
    // Stopped by local with the whole cluster: the nodes close their sockets at once, so do the
    // tunnels.
    member.serve(
        "edge " + name, edge::stop, () -> edge.stop(0), edge.stopped(), settings.stopTimeoutMs());
    return 0;
  }

  private long autoRebalanceAfterMs() {
    if (!(autoRebalanceAfter >= 1))
      throw new ConfigException(
          "--auto-rebalance-after must be >= 1 second, got " + autoRebalanceAfter);
    return Math.round(autoRebalanceAfter * 1000);
  }

  static Set<EdgeSettings.Mode> parseModes(List<String> values) {
    Set<EdgeSettings.Mode> modes = EnumSet.noneOf(EdgeSettings.Mode.class);
    for (String value : values) {
      try {
        modes.add(EdgeSettings.Mode.valueOf(value.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "--mode must be proxy, assign or proxy,assign; got '" + value + "'");
      }
    }
    return modes;
  }
}
