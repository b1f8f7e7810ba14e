package io.wsgrid.cli;

import io.vertx.core.Future;
import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.security.TlsSettings;
import java.util.function.Supplier;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every cluster member ({@code node}, {@code edge}) takes, and the steps both run
 * around their start: the address it binds, who may call {@code /admin/*}, the HTTP handshake
 * timeout, TLS, the config file, the cluster and the log format.
 */
final class MemberOptions {
  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String host;

  @Option(
      names = "--admin-token",
      description =
          "Required by /admin/* (a node's drain; an edge's dashboard data, drain relay and rebalance): Authorization: Bearer <token>."
              + " Unset (the default): /admin/* answers only to loopback clients.")
  String adminToken;

  @Option(
      names = "--handshake-timeout",
      defaultValue = "10",
      description =
          "Seconds a connection has to send a complete HTTP request (its WebSocket upgrade, an API or admin call; again after each"
              + " response); then it is closed (default: ${DEFAULT-VALUE}).")
  int handshakeTimeout;

  @Mixin TlsOptions tls;

  @Option(
      names = "--config",
      description =
          "wsgrid YAML config: option defaults (its node: or edge: section, then top-level keys) and a node's channels and"
              + " permissions (default: conf/wsgrid.yaml).")
  String config;

  @Mixin ClusterOptions cluster;

  @Option(names = "--exit-with-parent", hidden = true, defaultValue = "0")
  long parentPid;

  TlsSettings tlsSettings() {
    return tls.toSettings();
  }

  ClusterSettings clusterSettings(String memberName) {
    return cluster.toSettings(memberName, tls.toSettings());
  }

  /**
   * Before the start: the log format and the member's name in every line, the watch on {@code
   * local} when this is its child, and a line saying which cluster it joins ({@code role} "node" or
   * "edge", {@code as} how, or empty).
   */
  void begin(String role, String name, String as) {
    Logs.format(cluster.logFormat);
    Logs.name(name);
    ParentWatch.start(parentPid);
    System.out.println(
        "wsgrid "
            + role
            + " "
            + name
            + ": joining cluster '"
            + cluster.clusterName
            + "'"
            + as
            + "…");
  }

  /**
   * Once started: serves until SIGTERM ({@code stop}, bounded by {@code timeoutMs}) or until its
   * parent {@code local} stops the whole cluster ({@code stopWithCluster}, with Hazelcast's
   * warnings about peers leaving quieted), see {@link Startup#serveUntilStopped}.
   */
  void serve(
      String what,
      Supplier<Future<Void>> stop,
      Runnable stopWithCluster,
      Future<Void> stopped,
      long timeoutMs)
      throws InterruptedException {
    ParentWatch.onParentStop(
        () -> {
          Logs.quietPeers();
          stopWithCluster.run();
        });
    Startup.serveUntilStopped(stop, stopped, timeoutMs, what);
  }
}
