package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.WsClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault: a flood of half-open connections (TCP connected, then no request, half a request head, or
 * a head whose body never comes). A node started under {@code prlimit --nofile=2048} takes 2,000 of
 * them and an edge 300; each closes every one within {@code --handshake-timeout} (plus a margin for
 * the loaded machine and the accept queue), and WebSocket clients connect and work afterwards.
 */
class HalfOpenFloodIT {
  private static final int TIMEOUT_SECONDS = 5;

  /**
   * The sweep's period, a loaded machine, and a connection that waited in the accept queue (its
   * clock starts when accepted).
   */
  private static final Duration MARGIN = Duration.ofSeconds(15);

  private static final int NODE_FLOOD = 2_000;
  private static final int EDGE_FLOOD = 300;
  private static final String[] REQUESTS = {
    "",
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
    "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"channel\":",
  };

  private static Vertx vertx;
  private static JarProcess node;
  private static JarProcess edge;
  private static int nodePort;
  private static int edgePort;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    String cluster = Ports.clusterName("flood");
    String hzPort = String.valueOf(Ports.clusterPort());
    nodePort = Ports.free();
    edgePort = Ports.free();
    node =
        JarProcess.start(
            "flood-node",
            List.of("prlimit", "--nofile=2048"),
            null,
            "node",
            "--port",
            "" + nodePort,
            "--name",
            "n1",
            "--instances",
            "2",
            "--handshake-timeout",
            "" + TIMEOUT_SECONDS,
            "--cluster-name",
            cluster,
            "--cluster-port",
            hzPort);
    node.awaitReady("http://127.0.0.1:" + nodePort + "/ready", Duration.ofSeconds(90));
    edge =
        JarProcess.start(
            "flood-edge",
            "edge",
            "--port",
            "" + edgePort,
            "--name",
            "edge1",
            "--instances",
            "2",
            "--handshake-timeout",
            "" + TIMEOUT_SECONDS,
            "--cluster-name",
            cluster,
            "--cluster-port",
            hzPort);
    edge.awaitReady("http://127.0.0.1:" + edgePort + "/ready", Duration.ofSeconds(90));
    Await.until(
        "the edge sees n1",
        Duration.ofSeconds(30),
        () -> Http.nodesSeen("http://127.0.0.1:" + edgePort).contains("n1"));
  }

  @AfterAll
  static void stop() {
    if (edge != null) edge.close();
    if (node != null) node.close();
    if (vertx != null) Await.result(vertx.close());
  }

  @Test
  void aNodeUnderTwoThousandOpenFilesClosesTwoThousandHalfOpenConnectionsAndStillTakesClients()
      throws Exception {
    assertThat(Files.readAllLines(Path.of("/proc", String.valueOf(node.pid()), "limits")))
        .as("the node runs under prlimit")
        .anyMatch(l -> l.startsWith("Max open files") && l.contains(" 2048 "));
    List<Duration> lifetimes = flood(nodePort, NODE_FLOOD);
    assertThat(lifetimes).as("connections the node closed").hasSize(NODE_FLOOD);
    assertLifetimes(lifetimes);
    assertThat(
            Http.metric(
                "http://127.0.0.1:" + nodePort,
                "wsgrid_rejections_total",
                "node",
                "n1",
                "reason",
                "handshake_timeout"))
        .as("each close counted")
        .isGreaterThanOrEqualTo(NODE_FLOOD);
    try (WsClient sub = WsClient.connect(vertx, "ws://127.0.0.1:" + nodePort + "/ws");
        WsClient pub = WsClient.connect(vertx, "ws://127.0.0.1:" + nodePort + "/ws")) {
      sub.subscribe("chat.flood");
      assertThat(
              pub.publish("chat.flood", new JsonObject().put("text", "after the flood"))
                  .getBoolean("ok"))
          .isTrue();
      assertThat(sub.publications("chat.flood", 1).get(0).getJsonObject("data").getString("text"))
          .isEqualTo("after the flood");
    }
  }

  @Test
  void anEdgeClosesHalfOpenConnectionsAndStillTunnelsClients() throws Exception {
    List<Duration> lifetimes = flood(edgePort, EDGE_FLOOD);
    assertThat(lifetimes).as("connections the edge closed").hasSize(EDGE_FLOOD);
    assertLifetimes(lifetimes);
    assertThat(
            Http.metric(
                "http://127.0.0.1:" + edgePort,
                "wsgrid_rejections_total",
                "node",
                "edge1",
                "reason",
                "handshake_timeout"))
        .isGreaterThanOrEqualTo(EDGE_FLOOD);
    try (WsClient client = WsClient.connect(vertx, "ws://127.0.0.1:" + edgePort + "/ws")) {
      assertThat(client.node()).isEqualTo("n1");
      client.subscribe("chat.edgeflood");
      assertThat(
              client
                  .publish("chat.edgeflood", new JsonObject().put("text", "tunnelled"))
                  .getBoolean("ok"))
          .isTrue();
      assertThat(client.publications("chat.edgeflood", 1)).hasSize(1);
    }
  }

  private static void assertLifetimes(List<Duration> lifetimes) {
    Duration longest = lifetimes.stream().max(Duration::compareTo).orElseThrow();
    Duration shortest = lifetimes.stream().min(Duration::compareTo).orElseThrow();
    assertThat(longest)
        .as("the last close, after its connect")
        .isLessThanOrEqualTo(Duration.ofSeconds(TIMEOUT_SECONDS).plus(MARGIN));
    assertThat(shortest)
        .as("none closed before the timeout")
        .isGreaterThanOrEqualTo(Duration.ofMillis(TIMEOUT_SECONDS * 900L));
  }

  /**
   * Opens {@code count} connections from 127.0.0.2-9 (a third send nothing, a third half a request
   * head, a third a head whose body never comes) and waits until the server has closed them all, or
   * the timeout plus twice the margin has passed; returns each closed one's time from connect to
   * close.
   */
  private static List<Duration> flood(int port, int count) throws IOException {
    List<Duration> lifetimes = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      List<SocketChannel> open = new ArrayList<>();
      try {
        for (int i = 0; i < count; i++) {
          SocketChannel channel = SocketChannel.open();
          open.add(channel);
          channel.bind(new InetSocketAddress("127.0.0." + (2 + i % 8), 0));
          channel.socket().connect(new InetSocketAddress("127.0.0.1", port), 10_000);
          byte[] request = REQUESTS[i % REQUESTS.length].getBytes(StandardCharsets.US_ASCII);
          if (request.length > 0) channel.write(ByteBuffer.wrap(request));
          channel.configureBlocking(false);
          channel.register(selector, SelectionKey.OP_READ, System.nanoTime());
        }
        System.out.printf("flood: %d connections open to port %d%n", count, port);
        long deadline =
            System.nanoTime()
                + Duration.ofSeconds(TIMEOUT_SECONDS).plus(MARGIN).plus(MARGIN).toNanos();
        long nextReport = System.nanoTime();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (lifetimes.size() < count && System.nanoTime() < deadline) {
          selector.select(500);
          for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            it.remove();
            int read;
            try {
              read = ((SocketChannel) key.channel()).read(buffer.clear());
            } catch (IOException reset) {
              read = -1;
            }
            if (read < 0) {
              lifetimes.add(Duration.ofNanos(System.nanoTime() - (long) key.attachment()));
              key.cancel();
              key.channel().close();
            }
          }
          if (System.nanoTime() > nextReport) {
            System.out.printf("flood: %d of %d closed by the server%n", lifetimes.size(), count);
            nextReport = System.nanoTime() + 2_000_000_000L;
          }
        }
      } finally {
        for (SocketChannel channel : open) channel.close();
      }
    }
    return lifetimes;
  }
}
