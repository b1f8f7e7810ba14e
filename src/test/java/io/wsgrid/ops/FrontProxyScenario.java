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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What HaproxyIT and NginxIT both check, with a third-party proxy from Debian in front of two real
 * nodes: WebSockets pass through it, fan-out crosses nodes, and after one node drains and leaves,
 * every new socket goes to the other. The proxy is skipped, saying why, only where it is absent.
 */
final class FrontProxyScenario {
  /** Starts the proxy on {@code port} in front of nodes on {@code portA} and {@code portB}. */
  interface Launcher {
    Process start(int port, int portA, int portB) throws Exception;
  }

  private static final HttpClient http = HttpClient.newHttpClient();

  private FrontProxyScenario() {}

  static void run(String name, String binary, Duration settle, Launcher launcher) throws Exception {
    assumeTrue(
        new File(binary).canExecute(),
        name + " missing: apt-get install " + new File(binary).getName() + " (.ci/run does)");
    Vertx clients = Vertx.vertx();
    try (TestNodes cluster = new TestNodes(name.toLowerCase())) {
      Node a = cluster.start("a", 1, 1, 65536, 4 << 20);
      Node b = cluster.start("b", 1, 1, 65536, 4 << 20);
      int port = Ports.free();
      Process proxy = launcher.start(port, a.settings().port(), b.settings().port());
      List<WsClient> sockets = new ArrayList<>();
      try {
        String url = "ws://127.0.0.1:" + port + "/ws";
        Await.until(
            name + " accepts WebSockets",
            Duration.ofSeconds(20),
            () -> {
              try (WsClient probe = WsClient.connect(clients, url)) {
                return probe.node() != null;
              } catch (AssertionError e) {
                return false;
              }
            });
        for (int i = 0; i < 20; i++) sockets.add(WsClient.connect(clients, url));
        Map<String, Long> perNode =
            sockets.stream().collect(Collectors.groupingBy(WsClient::node, Collectors.counting()));
        assertThat(perNode).containsOnlyKeys("a", "b");
        WsClient onA = sockets.stream().filter(s -> s.node().equals("a")).findFirst().orElseThrow();
        WsClient onB = sockets.stream().filter(s -> s.node().equals("b")).findFirst().orElseThrow();
        String channel = "chat." + name.toLowerCase();
        onA.subscribe(channel);
        onB.publish(channel, new JsonObject().put("via", name));
        assertThat(onA.publications(channel, 1).get(0).getJsonObject("data").getString("via"))
            .isEqualTo(name);

        http.send(
            HttpRequest.newBuilder(URI.create(b.settings().httpUrl() + "/admin/drain"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
        cluster.nodes().remove(b);
        assertThat(b.awaitStopped(30, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(settle.toMillis());
        for (int i = 0; i < 10; i++) {
          try (WsClient after = WsClient.connect(clients, url)) {
            assertThat(after.node()).isEqualTo("a");
          }
        }
      } finally {
        sockets.forEach(WsClient::close);
        proxy.destroy();
        proxy.waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      Await.result(clients.close());
    }
  }
}
