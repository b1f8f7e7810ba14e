package io.wsgrid.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code conf/haproxy.cfg}, adjusted to the test's ports, run by Debian's HAProxy in
 * front of two real nodes: clients connect through it, fan-out crosses nodes, and a drained node
 * (its /ready turns 503) leaves HAProxy's rotation. Skipped, saying why, only where HAProxy is
 * absent; {@code .ci/run} installs it.
 */
class HaproxyIT {
  private static final HttpClient http = HttpClient.newHttpClient();

  @Test
  void haproxyInFrontOfNodesFollowsDrain() throws Exception {
    assumeTrue(new File("/usr/sbin/haproxy").canExecute(), "HAProxy missing: apt-get install haproxy (.ci/run does)");
    Vertx clients = Vertx.vertx();
    try (TestNodes cluster = new TestNodes("haproxy")) {
      Node a = cluster.start("a", 1, 1, 65536, 4 << 20);
      Node b = cluster.start("b", 1, 1, 65536, 4 << 20);
      int port = Ports.free();
      String config = Files.readString(Path.of("conf/haproxy.cfg"))
          .replace("bind 127.0.0.1:8090", "bind 127.0.0.1:" + port)
          .replaceAll("(?m)^    server n3 .*\\n", "")
          .replace("127.0.0.1:8081", "127.0.0.1:" + a.settings().port())
          .replace("127.0.0.1:8082", "127.0.0.1:" + b.settings().port());
      Path file = Files.createDirectories(Path.of("target", "it-logs")).resolve("haproxy-test.cfg");
      Files.writeString(file, config);
      Process haproxy = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", file.toString())
          .redirectErrorStream(true).redirectOutput(Path.of("target", "it-logs", "haproxy.log").toFile()).start();
      List<WsClient> sockets = new ArrayList<>();
      try {
        String url = "ws://127.0.0.1:" + port + "/ws";
        Await.until("HAProxy accepts WebSockets", Duration.ofSeconds(20), () -> {
          try (WsClient probe = WsClient.connect(clients, url)) {
            return probe.node() != null;
          } catch (AssertionError e) {
            return false;
          }
        });
        for (int i = 0; i < 20; i++) sockets.add(WsClient.connect(clients, url));
        Map<String, Long> perNode = sockets.stream().collect(Collectors.groupingBy(WsClient::node, Collectors.counting()));
        assertThat(perNode).containsOnlyKeys("a", "b");
        WsClient onA = sockets.stream().filter(s -> s.node().equals("a")).findFirst().orElseThrow();
        WsClient onB = sockets.stream().filter(s -> s.node().equals("b")).findFirst().orElseThrow();
        onA.subscribe("chat.haproxy");
        onB.publish("chat.haproxy", new JsonObject().put("via", "haproxy"));
        assertThat(onA.publications("chat.haproxy", 1).get(0).getJsonObject("data").getString("via")).isEqualTo("haproxy");

        // drain b: /ready turns 503, HAProxy takes it out, new sockets all go to a
        http.send(HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/admin/drain"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        cluster.nodes().remove(b);
        assertThat(b.awaitStopped(30, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(2_500); // two failed checks at 1 s
        for (int i = 0; i < 10; i++) {
          try (WsClient after = WsClient.connect(clients, url)) {
            assertThat(after.node()).isEqualTo("a");
          }
        }
      } finally {
        sockets.forEach(WsClient::close);
        haproxy.destroy();
        haproxy.waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      Await.result(clients.close());
    }
  }
}
