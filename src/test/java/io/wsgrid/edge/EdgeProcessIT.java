package io.wsgrid.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, as a user runs it: {@code local --nodes 3} from the fat jar (edge +
 * three node processes). A node killed with SIGKILL stops receiving sockets as soon as the cluster
 * notices, and Ctrl-C (SIGTERM) stops everything.
 */
class EdgeProcessIT {

  @Test
  void localClusterRoutesAroundAKilledNode() throws Exception {
    int port = Ports.freeRange(4);
    int hzPort = Ports.clusterPort();
    String cluster = Ports.clusterName("local");
    String edgeHttp = "http://127.0.0.1:" + port;
    Vertx vertx = Vertx.vertx();
    try (JarProcess local =
        JarProcess.start(
            "local",
            "local",
            "--nodes",
            "3",
            "--port",
            "" + port,
            "--cluster-name",
            cluster,
            "--cluster-port",
            "" + hzPort)) {
      Await.until(
          "local prints that the cluster is up",
          Duration.ofSeconds(120),
          () -> {
            if (!local.process().isAlive())
              throw new AssertionError("local exited:\n" + local.log());
            return local.log().contains("is up");
          });
      assertThat(local.log()).contains("ws://127.0.0.1:" + port + "/ws");
      Await.until(
          "the edge sees 3 nodes",
          Duration.ofSeconds(30),
          () -> Http.nodesSeen(edgeHttp).size() == 3);

      List<WsClient> before = new ArrayList<>();
      for (int i = 0; i < 30; i++)
        before.add(WsClient.connect(vertx, "ws://127.0.0.1:" + port + "/ws"));
      Map<String, Long> share =
          before.stream().collect(Collectors.groupingBy(WsClient::node, Collectors.counting()));
      assertThat(share).containsOnlyKeys("n1", "n2", "n3");

      ProcessHandle n2 =
          local
              .process()
              .children()
              .filter(p -> p.info().commandLine().orElse("").contains("--name n2"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no n2 child of local"));
      long killedAt = System.nanoTime();
      n2.destroyForcibly();
      Await.until(
          "the edge drops n2",
          Duration.ofSeconds(20),
          () -> !Http.nodesSeen(edgeHttp).contains("n2"));
      long detectMs = (System.nanoTime() - killedAt) / 1_000_000;
      System.out.println("edge dropped the killed node after " + detectMs + " ms");

      List<WsClient> after = new ArrayList<>();
      for (int i = 0; i < 40; i++)
        after.add(WsClient.connect(vertx, "ws://127.0.0.1:" + port + "/ws"));
      assertThat(after).extracting(WsClient::node).doesNotContain("n2").contains("n1", "n3");
      before.forEach(WsClient::close);
      after.forEach(WsClient::close);

      // Ctrl-C: the children stop with the parent
      List<ProcessHandle> children = local.process().children().toList();
      local.process().destroy();
      local.await(Duration.ofSeconds(40));
      for (ProcessHandle child : children) {
        Await.until(
            "child " + child.pid() + " exits", Duration.ofSeconds(30), () -> !child.isAlive());
      }
    } finally {
      Await.result(vertx.close());
    }
  }
}
