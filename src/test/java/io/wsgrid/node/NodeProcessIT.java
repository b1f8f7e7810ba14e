package io.wsgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two node processes from the fat jar join one cluster and carry a message across. */
class NodeProcessIT {

  @Test
  void twoJarNodesJoinAndAMessageCrosses() throws Exception {
    int hzPort = Ports.clusterPort();
    String cluster = Ports.clusterName("proc");
    int p1 = Ports.free();
    int p2 = Ports.free();
    Vertx vertx = Vertx.vertx();
    try (JarProcess n1 =
            JarProcess.start(
                "node-proc-n1",
                "node",
                "--port",
                "" + p1,
                "--name",
                "n1",
                "--cluster-name",
                cluster,
                "--cluster-port",
                "" + hzPort,
                "--instances",
                "1",
                "--log-format",
                "json");
        JarProcess n2 =
            JarProcess.start(
                "node-proc-n2",
                "node",
                "--port",
                "" + p2,
                "--name",
                "n2",
                "--cluster-name",
                cluster,
                "--cluster-port",
                "" + hzPort,
                "--instances",
                "1")) {
      n1.awaitReady("http://127.0.0.1:" + p1 + "/ready", Duration.ofSeconds(90));
      // --log-format json: every line n1 logs is one JSON object carrying its name
      assertThat(
              n1.log()
                  .lines()
                  .filter(l -> l.startsWith("{"))
                  .map(JsonObject::new)
                  .filter(j -> j.getString("message", "").contains("ready")))
          .isNotEmpty()
          .allMatch(
              j -> j.getString("level") != null && j.encode().contains("\"wsgrid.name\":\"n1\""));
      n2.awaitReady("http://127.0.0.1:" + p2 + "/ready", Duration.ofSeconds(90));
      Await.until(
          "both nodes see a 2-node cluster",
          Duration.ofSeconds(30),
          () ->
              JarProcess.metric("http://127.0.0.1:" + p1, "wsgrid_cluster_nodes") == 2
                  && JarProcess.metric("http://127.0.0.1:" + p2, "wsgrid_cluster_nodes") == 2);
      try (WsClient sub = WsClient.connect(vertx, "ws://127.0.0.1:" + p1 + "/ws");
          WsClient pub = WsClient.connect(vertx, "ws://127.0.0.1:" + p2 + "/ws")) {
        assertThat(sub.node()).isEqualTo("n1");
        assertThat(pub.node()).isEqualTo("n2");
        sub.subscribe("chat.proc");
        assertThat(
                pub.publish("chat.proc", new JsonObject().put("text", "across")).getBoolean("ok"))
            .isTrue();
        assertThat(sub.publications("chat.proc", 1).get(0).getJsonObject("data").getString("text"))
            .isEqualTo("across");

        // SIGTERM: the node closes its sockets with 1001 and exits 0
        assertThat(n2.stop(Duration.ofSeconds(30))).isEqualTo(0);
        assertThat(pub.awaitClose()).isEqualTo((short) 1001);
      }
    } finally {
      Await.result(vertx.close());
    }
  }
}
