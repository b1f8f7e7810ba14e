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
 * The shipped {@code conf/nginx.conf}, adjusted to the test's ports, run by Debian's Nginx in front
 * of two real nodes: clients connect through it, fan-out crosses nodes, and once a node has drained
 * and left, new sockets go to the other one. Skipped, saying why, only where Nginx is absent;
 * {@code .ci/run} installs it.
 */
class NginxIT {
  private static final HttpClient http = HttpClient.newHttpClient();

  @Test
  void nginxInFrontOfNodesRoutesAroundADrainedNode() throws Exception {
    assumeTrue(new File("/usr/sbin/nginx").canExecute(), "Nginx missing: apt-get install nginx (.ci/run does)");
    Vertx clients = Vertx.vertx();
    try (TestNodes cluster = new TestNodes("nginx")) {
      Node a = cluster.start("a", 1, 1, 65536, 4 << 20);
      Node b = cluster.start("b", 1, 1, 65536, 4 << 20);
      int port = Ports.free();
      Path prefix = Files.createDirectories(Path.of("target", "it-logs", "nginx").toAbsolutePath());
      String config = Files.readString(Path.of("conf/nginx.conf"))
          .replace("listen 127.0.0.1:8091", "listen 127.0.0.1:" + port)
          .replaceAll("(?m)^        server 127.0.0.1:8083 .*\\n", "")
          .replace("127.0.0.1:8081", "127.0.0.1:" + a.settings().port())
          .replace("127.0.0.1:8082", "127.0.0.1:" + b.settings().port());
      Path file = prefix.resolve("nginx-test.conf");
      Files.writeString(file, config.replace("worker_processes 1;", "worker_processes 1;\ndaemon off;"));
      Process nginx = new ProcessBuilder("/usr/sbin/nginx", "-p", prefix.toString(), "-c", file.toString())
          .redirectErrorStream(true).redirectOutput(prefix.resolve("nginx.log").toFile()).start();
      List<WsClient> sockets = new ArrayList<>();
      try {
        String url = "ws://127.0.0.1:" + port + "/ws";
        Await.until("Nginx accepts WebSockets", Duration.ofSeconds(20), () -> {
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
        onA.subscribe("chat.nginx");
        onB.publish("chat.nginx", new JsonObject().put("via", "nginx"));
        assertThat(onA.publications("chat.nginx", 1).get(0).getJsonObject("data").getString("via")).isEqualTo("nginx");

        // drain b: it closes its sockets and leaves; Nginx's next-upstream sends new sockets to a
        http.send(HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/admin/drain"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        cluster.nodes().remove(b);
        assertThat(b.awaitStopped(30, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 10; i++) {
          try (WsClient after = WsClient.connect(clients, url)) {
            assertThat(after.node()).isEqualTo("a");
          }
        }
      } finally {
        sockets.forEach(WsClient::close);
        nginx.destroy();
        nginx.waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      Await.result(clients.close());
    }
  }
}
