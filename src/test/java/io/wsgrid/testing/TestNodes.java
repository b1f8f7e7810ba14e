package io.wsgrid.testing;

import io.wsgrid.broker.ChannelPolicies;
import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.edge.Edge;
import io.wsgrid.edge.EdgeSettings;
import io.wsgrid.node.Node;
import io.wsgrid.node.NodeSettings;
import io.wsgrid.security.SecuritySettings;
import io.wsgrid.security.TlsSettings;
import io.wsgrid.session.SessionLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Real clustered nodes in this JVM, on free ports, in a cluster of their own. */
public final class TestNodes implements AutoCloseable {
  private final String clusterName;
  private final int clusterPort = Ports.clusterPort();
  private final List<Node> nodes = new ArrayList<>();
  private final List<Edge> edges = new ArrayList<>();

  public TestNodes(String test) {
    this.clusterName = Ports.clusterName(test);
  }

  public String clusterName() {
    return clusterName;
  }

  /**
   * The first Hazelcast port of this cluster: a fat-jar member joins with {@code --cluster-port}
   * it.
   */
  public int clusterPort() {
    return clusterPort;
  }

  public Node start(String name) {
    return start(name, 2, 64 * 1024, 4 * 1024 * 1024);
  }

  public Node start(String name, int instances, int maxFrameSize, long maxQueuedBytes) {
    return start(name, instances, instances, maxFrameSize, maxQueuedBytes);
  }

  public Node start(String name, int instances, int weight, int maxFrameSize, long maxQueuedBytes) {
    // No message-rate limit here: these tests publish as fast as a backend would; the limits have
    // their own tests.
    return start(
        name,
        instances,
        weight,
        SessionLimits.of(maxFrameSize, maxQueuedBytes).withMessageRate(0, 0),
        SecuritySettings.OPEN);
  }

  /** A node with the given limits and security (tokens, permissions, TLS). */
  public Node start(
      String name, int instances, int weight, SessionLimits limits, SecuritySettings security) {
    return start(name, instances, weight, limits, security, ChannelPolicies.defaults());
  }

  /**
   * A node with its own channel settings (history per namespace, idle time), no message-rate limit.
   */
  public Node start(String name, ChannelPolicies channels) {
    return start(
        name,
        2,
        2,
        SessionLimits.of(64 * 1024, 4 * 1024 * 1024).withMessageRate(0, 0),
        SecuritySettings.OPEN,
        channels);
  }

  private Node start(
      String name,
      int instances,
      int weight,
      SessionLimits limits,
      SecuritySettings security,
      ChannelPolicies channels) {
    ClusterSettings cluster = new ClusterSettings(clusterName, null, List.of(), name, clusterPort);
    NodeSettings settings =
        new NodeSettings(
            name,
            "127.0.0.1",
            "127.0.0.1",
            Ports.free(),
            instances,
            weight,
            limits,
            cluster,
            channels,
            500,
            NodeSettings.DEFAULT_DRAIN_TIMEOUT,
            security);
    Node node = Await.result(Node.start(settings), Duration.ofSeconds(90));
    nodes.add(node);
    return node;
  }

  /** An edge in this cluster, on a free port, serving proxy and assign. */
  public Edge startEdge(String name, String strategy) {
    return startEdge(name, strategy, null, TlsSettings.NONE);
  }

  /** An edge with an admin token and TLS (either may be null / NONE). */
  public Edge startEdge(String name, String strategy, String adminToken, TlsSettings tls) {
    EdgeSettings settings =
        new EdgeSettings(
            name,
            "127.0.0.1",
            Ports.free(),
            strategy,
            1.25,
            Set.of(EdgeSettings.Mode.PROXY, EdgeSettings.Mode.ASSIGN),
            3,
            2,
            0.1,
            0,
            new ClusterSettings(clusterName, null, List.of(), name, clusterPort),
            adminToken,
            tls,
            0); // a test cluster's teardown closes its tunnels at once
    Edge edge = Await.result(Edge.start(settings), Duration.ofSeconds(90));
    edges.add(edge);
    return edge;
  }

  public List<Node> nodes() {
    return nodes;
  }

  @Override
  public void close() throws InterruptedException {
    for (Edge edge : edges) edge.stop();
    for (Edge edge : edges) edge.awaitStopped(30, TimeUnit.SECONDS);
    for (Node node : nodes) node.stop();
    for (Node node : nodes) node.awaitStopped(30, TimeUnit.SECONDS);
  }
}
