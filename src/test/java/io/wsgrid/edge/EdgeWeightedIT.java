package io.wsgrid.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Nodes of weights 1, 2 and 3 behind a weighted edge: 300 sockets split 50/100/150 (within 5%). */
class EdgeWeightedIT {

  @Test
  void weightedSharesFollowTheNodesWeights() throws Exception {
    Vertx clients = Vertx.vertx();
    try (TestNodes cluster = new TestNodes("weighted")) {
      cluster.start("w1", 1, 1, 65536, 4 << 20);
      cluster.start("w2", 1, 2, 65536, 4 << 20);
      cluster.start("w3", 1, 3, 65536, 4 << 20);
      Edge edge = cluster.startEdge("edgew", "weighted");
      Await.until(
          "the edge sees 3 nodes",
          Duration.ofSeconds(30),
          () -> edge.view().snapshot().size() == 3);
      List<WsClient> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < 300; i++) sockets.add(WsClient.connect(clients, edge.settings().url()));
        Map<String, Long> perNode =
            sockets.stream().collect(Collectors.groupingBy(WsClient::node, Collectors.counting()));
        assertThat(perNode.get("w1")).isBetween(45L, 55L);
        assertThat(perNode.get("w2")).isBetween(95L, 105L);
        assertThat(perNode.get("w3")).isBetween(142L, 158L);
      } finally {
        sockets.forEach(WsClient::close);
      }
    } finally {
      Await.result(clients.close());
    }
  }
}
