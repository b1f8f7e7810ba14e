package io.wsgrid.testing;

import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.node.Node;
import io.wsgrid.node.NodeSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real clustered nodes in this JVM, on free ports, in a cluster of their own. */
public final class TestNodes implements AutoCloseable {
  private final String clusterName;
  private final List<Node> nodes = new ArrayList<>();

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
    ClusterSettings cluster = new ClusterSettings(clusterName, null, List.of(), name);
    NodeSettings settings = new NodeSettings(name, "127.0.0.1", "127.0.0.1", Ports.free(), instances, instances,
        maxFrameSize, maxQueuedBytes, cluster);
    Node node = Await.result(Node.start(settings), Duration.ofSeconds(90));
    nodes.add(node);
    return node;
  }

  public List<Node> nodes() {
    return nodes;
  }

  @Override
  public void close() throws InterruptedException {
    for (Node node : nodes) node.stop();
    for (Node node : nodes) node.awaitStopped(30, TimeUnit.SECONDS);
  }
}
