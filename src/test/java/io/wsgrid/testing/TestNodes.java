package io.wsgrid.testing;

import io.wsgrid.broker.ChannelPolicies;
import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.edge.Edge;
import io.wsgrid.edge.EdgeSettings;
import io.wsgrid.node.Node;
import io.wsgrid.node.NodeSettings;
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

  public Node start(String name) {
    return start(name, 2, 64 * 1024, 4 * 1024 * 1024);
  }

  public Node start(String name, int instances, int maxFrameSize, long maxQueuedBytes) {
    return start(name, instances, instances, maxFrameSize, maxQueuedBytes);
  }

  public Node start(String name, int instances, int weight, int maxFrameSize, long maxQueuedBytes) {
    ClusterSettings cluster = new ClusterSettings(clusterName, null, List.of(), name, clusterPort);
    NodeSettings settings = new NodeSettings(name, "127.0.0.1", "127.0.0.1", Ports.free(), instances, weight,
        maxFrameSize, maxQueuedBytes, cluster, ChannelPolicies.defaults(), 500);
    Node node = Await.result(Node.start(settings), Duration.ofSeconds(90));
    nodes.add(node);
    return node;
  }

  /** An edge in this cluster, on a free port, serving proxy and assign. */
  public Edge startEdge(String name, String strategy) {
    EdgeSettings settings = new EdgeSettings(name, "127.0.0.1", Ports.free(), strategy, 1.25,
        Set.of(EdgeSettings.Mode.PROXY, EdgeSettings.Mode.ASSIGN), 3, 2, 0.1, 0, new ClusterSettings(clusterName, null, List.of(), name, clusterPort));
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
