package io.wsgrid.cli;

import io.wsgrid.broker.ChannelPolicies;
import io.wsgrid.config.ConfigFile;
import io.wsgrid.node.Node;
import io.wsgrid.node.NodeSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wsgrid node}: runs one cluster node until SIGTERM, Ctrl-C or a drain. */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run a wsgrid node: a cluster member serving WebSocket clients on /ws.")
final class NodeCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8081", description = "HTTP and WebSocket port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String host;

  @Option(names = "--advertise-host", description = "Address clients and the edge use to reach this node (default: --host, or 127.0.0.1 when binding 0.0.0.0).")
  String advertiseHost;

  @Option(names = "--name", description = "Node name, unique in the cluster (default: n<port>).")
  String name;

  @Option(names = "--instances", defaultValue = "0", description = "WebSocket verticles sharing the port, one per event loop (0 = cores).")
  int instances;

  @Option(names = "--weight", defaultValue = "0", description = "Share in weighted balancing (0 = the instance count).")
  int weight;

  @Option(names = "--max-frame-size", defaultValue = "65536", description = "Largest frame and message a client may send, bytes (default: ${DEFAULT-VALUE}).")
  int maxFrameSize;

  @Option(names = "--drain-rate", defaultValue = "500",
      description = "Sockets per second a drain (SIGTERM, POST /admin/drain) or a rebalance closes (default: ${DEFAULT-VALUE}).")
  int drainRate;

  @Option(names = "--max-queued-bytes", defaultValue = "4194304",
      description = "Bytes that may wait for a slow client beyond its socket buffer before it is disconnected (default: ${DEFAULT-VALUE}).")
  long maxQueuedBytes;

  @Option(names = "--config", description = "wsgrid YAML config (default: conf/wsgrid.yaml).")
  String config;

  @Option(names = "--exit-with-parent", hidden = true, defaultValue = "0")
  long parentPid;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    int instanceCount = instances > 0 ? instances : cores;
    String nodeName = name == null || name.isBlank() ? "n" + port : name;
    String advertised = advertiseHost != null ? advertiseHost : "0.0.0.0".equals(host) ? "127.0.0.1" : host;
    NodeSettings settings = new NodeSettings(nodeName, host, advertised, port, instanceCount,
        weight > 0 ? weight : instanceCount, maxFrameSize, maxQueuedBytes, cluster.toSettings(nodeName),
        ChannelPolicies.fromConfig(ConfigFile.load(config)), drainRate);
    Logs.format(cluster.logFormat);
    Logs.name(nodeName);
    ParentWatch.exitWith(parentPid);
    System.out.println("wsgrid node " + nodeName + ": joining cluster '" + cluster.clusterName + "'…");
    Node node = Startup.await(Node.start(settings), "node " + nodeName);
    Startup.serveUntilStopped(node::stop, node.stopped());
    return 0;
  }
}
