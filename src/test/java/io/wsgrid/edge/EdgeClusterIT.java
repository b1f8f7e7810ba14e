package io.wsgrid.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.PrometheusSamples;
import io.wsgrid.testing.RawWebSocket;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An edge in front of three real clustered nodes, real clients through it. */
class EdgeClusterIT {
  private static final HttpClient http = HttpClient.newHttpClient();
  private static TestNodes cluster;
  private static Edge edge;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    cluster = new TestNodes("edge");
    for (String name : List.of("a", "b", "c"))
      cluster.start(name, 1, 1, 2 * 1024 * 1024, 8 * 1024 * 1024);
    edge = cluster.startEdge("edge1", "least-connections");
    Await.until(
        "the edge sees 3 nodes", Duration.ofSeconds(30), () -> edge.view().snapshot().size() == 3);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (clients != null) Await.result(clients.close());
    if (cluster != null) cluster.close();
  }

  private static String edgeWs() {
    return edge.settings().url();
  }

  private static String edgeHttp() {
    return "http://127.0.0.1:" + edge.settings().port();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitNoConnections() {
    Await.until(
        "sockets closed on every node",
        Duration.ofSeconds(20),
        () -> cluster.nodes().stream().allMatch(n -> n.connections() == 0) && edge.tunnels() == 0);
    Await.until(
        "the registry shows 0 connections",
        Duration.ofSeconds(10),
        () -> edge.view().snapshot().stream().allMatch(e -> e.connections() == 0));
  }

  private static double counter(String name, String tag, String value) {
    var c = edge.registry().find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void leastConnectionsSpreads300SocketsEvenly() {
    awaitNoConnections();
    List<WsClient> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) sockets.add(WsClient.connect(clients, edgeWs()));
      Map<String, Long> perNode =
          sockets.stream().collect(Collectors.groupingBy(WsClient::node, Collectors.counting()));
      assertThat(perNode).containsOnlyKeys("a", "b", "c");
      assertThat(perNode.values()).allSatisfy(n -> assertThat(n).isBetween(95L, 105L));
      Await.until(
          "nodes count what the edge routed",
          Duration.ofSeconds(10),
          () ->
              cluster.nodes().stream().mapToLong(Node::connections).sum() == 300
                  && edge.tunnels() == 300);
    } finally {
      sockets.forEach(WsClient::close);
    }
    awaitNoConnections();
  }

  /**
   * One client after another: the edge knows each node's load exactly (the registry's count plus
   * what it routed since, matched by admission number), so least-connections never lets two nodes
   * differ by more than one socket. (A time margin instead of the numbers let an entry that already
   * counted a socket leave it pending too: the node looked one heavier, six connects went 2/4.)
   */
  @Test
  void serialConnectsTakeTurnsExactly() {
    awaitNoConnections();
    // A GET /assign of another test whose client left at once may still count for up to 2 s.
    Await.until(
        "nothing pending at the edge",
        Duration.ofSeconds(5),
        () -> List.of("a", "b", "c").stream().allMatch(id -> edge.picker().pending(id) == 0));
    List<WsClient> sockets = new ArrayList<>();
    Map<String, Long> perNode = new java.util.TreeMap<>(Map.of("a", 0L, "b", 0L, "c", 0L));
    StringBuilder order = new StringBuilder();
    try {
      for (int i = 0; i < 45; i++) {
        WsClient socket = WsClient.connect(clients, edgeWs());
        sockets.add(socket);
        perNode.merge(socket.node(), 1L, Long::sum);
        order.append(socket.node());
        long max = perNode.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        long min = perNode.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        assertThat(max - min)
            .as(
                "after %d serial connects (order %s): %s; registry %s",
                i + 1, order, perNode, edge.view().snapshot())
            .isLessThanOrEqualTo(1);
      }
    } finally {
      sockets.forEach(WsClient::close);
    }
    awaitNoConnections();
  }

  /**
   * Back-pressure through the tunnel: a client that never reads must fill its node's queue (where
   * the node's slow-consumer bound closes it with 1013), not the edge's memory. Were the edge to
   * read from the node regardless, the node would see a fast reader and never disconnect it.
   */
  @Test
  void aClientThatStopsReadingIsHeldBackAtItsNodeNotInTheEdge() throws Exception {
    awaitNoConnections();
    String channel = "firehose.edge";
    double before =
        cluster.nodes().stream()
            .mapToDouble(n -> nodeCounter(n, MeterNames.SLOW_CONSUMER_DISCONNECTS))
            .sum();
    try (RawWebSocket slow =
            RawWebSocket.connect("127.0.0.1", edge.settings().port(), "/ws", 4096);
        WsClient fast = WsClient.connect(clients, edgeWs());
        WsClient publisher = WsClient.connect(clients, edgeWs())) {
      assertThat(slow.readFrame().text()).contains("connected");
      slow.sendText("{\"id\":1,\"op\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      assertThat(slow.readFrame().text()).contains("\"ok\":true");
      fast.subscribe(channel);
      String payload = "z".repeat(16 * 1024);
      // ~48 MB at ~10 MB/s: past every socket buffer on the way and the node's 8 MiB bound, but
      // slowly enough that an edge reading regardless would keep the node's queue short.
      int count = 3_000;
      for (int i = 0; i < count; i++) {
        publisher.send(
            new JsonObject()
                .put("op", "publish")
                .put("channel", channel)
                .put("data", new JsonObject().put("n", i).put("pad", payload)));
        if (i % 50 == 49) Thread.sleep(80);
      }
      List<JsonObject> got = fast.publications(channel, count);
      assertThat(got.get(count - 1).getJsonObject("data").getInteger("n")).isEqualTo(count - 1);
      Await.until(
          "the slow client's node disconnected it",
          Duration.ofSeconds(20),
          () ->
              cluster.nodes().stream()
                      .mapToDouble(n -> nodeCounter(n, MeterNames.SLOW_CONSUMER_DISCONNECTS))
                      .sum()
                  > before);
      assertThat(slow.readUntilClose()).isIn(1013, -1);
    }
    awaitNoConnections();
  }

  private static double nodeCounter(Node node, String name) {
    var f = node.registry().find(name).functionCounter();
    return f != null ? f.count() : 0;
  }

  @Test
  void aBurstOfConcurrentConnectsDoesNotPileOntoOneNode() {
    awaitNoConnections();
    List<CompletableFuture<WsClient>> opening = new ArrayList<>();
    for (int i = 0; i < 150; i++)
      opening.add(CompletableFuture.supplyAsync(() -> WsClient.connect(clients, edgeWs())));
    List<WsClient> sockets = opening.stream().map(CompletableFuture::join).toList();
    try {
      Map<String, Long> perNode =
          sockets.stream().collect(Collectors.groupingBy(WsClient::node, Collectors.counting()));
      assertThat(perNode.values()).allSatisfy(n -> assertThat(n).isBetween(40L, 60L));
    } finally {
      sockets.forEach(WsClient::close);
    }
    awaitNoConnections();
  }

  @Test
  void theTunnelPassesLargeBinaryFragmentedPingAndCloseUnchanged() throws Exception {
    String channel = "tunnel.big";
    try (WsClient sub = WsClient.connect(clients, edgeWs());
        WsClient pub = WsClient.connect(clients, edgeWs())) {
      sub.subscribe(channel);
      String big = "z".repeat(1024 * 1024);
      assertThat(pub.publish(channel, big).getBoolean("ok")).isTrue();
      assertThat(sub.publications(channel, 1).get(0).getString("data"))
          .hasSize(big.length())
          .isEqualTo(big);

      // binary reaches the node (which answers it with an error frame)
      pub.sendBinary(Buffer.buffer(new byte[] {0, 1, 2, (byte) 255}));
      assertThat(pub.next().getJsonObject("error").getString("code")).isEqualTo("bad_request");

      // ping -> pong, answered by the node through the tunnel
      CompletableFuture<Buffer> pong = new CompletableFuture<>();
      pub.socket().pongHandler(pong::complete);
      Await.result(pub.socket().writePing(Buffer.buffer("are you there")));
      assertThat(pong.get(10, TimeUnit.SECONDS).toString()).isEqualTo("are you there");
    }

    // a fragmented message, by hand: three frames, one request
    try (RawWebSocket raw =
        RawWebSocket.connect("127.0.0.1", edge.settings().port(), "/ws", 65536)) {
      assertThat(raw.readFrame().text()).contains("\"connected\"");
      byte[] request = "{\"id\":42,\"op\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
      raw.sendFrame(0x1, false, java.util.Arrays.copyOfRange(request, 0, 5));
      raw.sendFrame(0x0, false, java.util.Arrays.copyOfRange(request, 5, 12));
      raw.sendFrame(0x0, true, java.util.Arrays.copyOfRange(request, 12, request.length));
      assertThat(new JsonObject(raw.readFrame().text()).getInteger("id")).isEqualTo(42);
      // the client closes with 4001: the node's echo of that code comes back through the tunnel
      raw.sendFrame(0x8, true, new byte[] {(byte) 0x0f, (byte) 0xa1, 'b', 'y', 'e'});
      assertThat(raw.readUntilClose()).isEqualTo(4001);
    }

    awaitNoConnections();
  }

  @Test
  void aCloseCodeChosenByTheNodeReachesTheClientUnchanged() throws Exception {
    Node d = cluster.start("d", 1, 1, 65536, 4 << 20);
    Await.until("the edge sees d", Duration.ofSeconds(20), () -> edge.view().get("d") != null);
    List<WsClient> sockets = new ArrayList<>();
    try {
      WsClient onD = null;
      for (int i = 0; i < 12 && onD == null; i++) {
        WsClient client = WsClient.connect(clients, edgeWs());
        sockets.add(client);
        if (client.node().equals("d")) onD = client;
      }
      assertThat(onD).as("least-connections sends a new socket to the empty node d").isNotNull();
      cluster.nodes().remove(d);
      d.stop();
      assertThat(onD.awaitClose()).isEqualTo((short) 1001);
      assertThat(onD.closeReason()).isEqualTo("node draining; reconnect");
      assertThat(d.awaitStopped(30, TimeUnit.SECONDS)).isTrue();
      Await.until("the edge forgets d", Duration.ofSeconds(20), () -> edge.view().get("d") == null);
      Await.until(
          "the edge counts 3 nodes again",
          Duration.ofSeconds(20),
          () -> edge.registry().find(MeterNames.CLUSTER_NODES).gauge().value() == 3);
    } finally {
      sockets.forEach(WsClient::close);
    }
    awaitNoConnections();
  }

  @Test
  void anIdleTunnelStaysOpenPastTheHandshakeTimeout() throws Exception {
    try (WsClient client = WsClient.connect(clients, edgeWs())) {
      Thread.sleep(WebSocketTunnel.HANDSHAKE_TIMEOUT_MS + 1_500);
      assertThat(client.isClosed()).isFalse();
      assertThat(client.request(new JsonObject().put("op", "ping")).getBoolean("ok")).isTrue();
    }
  }

  @Test
  void assignModeReturnsAReachableNodeUrl() throws Exception {
    HttpResponse<String> response = get(edgeHttp() + "/assign");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject assigned = new JsonObject(response.body());
    try (WsClient client = WsClient.connect(clients, assigned.getString("url"))) {
      assertThat(client.node()).isEqualTo(assigned.getString("node"));
    }
  }

  @Test
  void adminNodesShowsTheRegistry() throws Exception {
    HttpResponse<String> response = get(edgeHttp() + "/admin/nodes");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("strategy")).isEqualTo("least-connections");
    List<JsonObject> nodes = body.getJsonArray("nodes").stream().map(o -> (JsonObject) o).toList();
    assertThat(nodes).extracting(n -> n.getString("id")).containsExactly("a", "b", "c");
    for (JsonObject node : nodes) {
      assertThat(node.getString("state")).isEqualTo("UP");
      assertThat(node.getString("wsUrl")).startsWith("ws://127.0.0.1:");
      assertThat(node.getInteger("weight")).isEqualTo(1);
      assertThat(node.getLong("ageMs")).isLessThan(NodeRegistration_TTL());
      assertThat(node.containsKey("connections")).isTrue();
    }
  }

  private static long NodeRegistration_TTL() {
    return io.wsgrid.cluster.NodeRegistration.TTL_MS;
  }

  @Test
  void anUnreachableNodeIsSkippedAndCounted() {
    awaitNoConnections();
    // A registry entry for a node whose port nothing listens on, owned by a live member.
    Node a = cluster.nodes().get(0);
    IMap<String, String> map = a.hazelcast().getMap(NodeEntry.MAP);
    int deadPort = Ports.free();
    NodeEntry ghost =
        new NodeEntry(
            "ghost",
            "ws://127.0.0.1:" + deadPort + "/ws",
            "http://127.0.0.1:" + deadPort,
            1,
            0,
            0,
            NodeEntry.State.UP,
            System.currentTimeMillis(),
            a.hazelcast().getCluster().getLocalMember().getUuid().toString());
    double failuresBefore =
        counter(MeterNames.EDGE_ROUTE_FAILURES, MeterNames.TAG_REASON, "connect");
    map.put("ghost", ghost.toJson().encode(), 60, TimeUnit.SECONDS);
    try {
      Await.until(
          "the edge sees the ghost",
          Duration.ofSeconds(10),
          () -> edge.view().get("ghost") != null);
      for (int i = 0; i < 5; i++) {
        try (WsClient client = WsClient.connect(clients, edgeWs())) {
          assertThat(client.node()).isIn("a", "b", "c");
        }
      }
      assertThat(counter(MeterNames.EDGE_ROUTE_FAILURES, MeterNames.TAG_REASON, "connect"))
          .isGreaterThan(failuresBefore);
    } finally {
      map.remove("ghost");
    }
    Await.until(
        "the ghost is gone", Duration.ofSeconds(10), () -> edge.view().get("ghost") == null);
  }

  @Test
  void badRequestsGetClearAnswersAndLeakNothing() throws Exception {
    awaitNoConnections();
    HttpResponse<String> plain = get(edgeHttp() + "/ws");
    assertThat(plain.statusCode()).isEqualTo(400);
    assertThat(plain.body()).contains("WebSocket upgrade");

    try (RawWebSocket ignored =
        RawWebSocket.connect("127.0.0.1", edge.settings().port(), "/elsewhere", 65536)) {
      throw new AssertionError("an upgrade to an unknown path must be refused");
    } catch (java.io.IOException expected) {
      assertThat(expected.getMessage()).contains("404");
    }

    // clients that vanish mid-handshake: the request is sent, the socket closed at once
    for (int i = 0; i < 20; i++) {
      try (Socket socket = new Socket("127.0.0.1", edge.settings().port())) {
        socket
            .getOutputStream()
            .write(
                ("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
      }
    }
    awaitNoConnections();
    // the edge still serves
    try (WsClient client = WsClient.connect(clients, edgeWs())) {
      assertThat(client.node()).isIn("a", "b", "c");
    }
  }

  @Test
  void edgeMetricsCountRoutedSockets() throws Exception {
    double before =
        edge.registry().find(MeterNames.EDGE_ROUTED).counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
    try (WsClient client = WsClient.connect(clients, edgeWs())) {
      Await.until(
          "routed counted",
          Duration.ofSeconds(5),
          () ->
              edge.registry().find(MeterNames.EDGE_ROUTED).counters().stream()
                      .mapToDouble(c -> c.count())
                      .sum()
                  == before + 1);
    }
    String text = get(edgeHttp() + "/metrics").body();
    assertThat(
            PrometheusSamples.sum(
                text, "wsgrid_edge_routed_total", "strategy", "least-connections"))
        .isGreaterThanOrEqualTo(1);
    assertThat(PrometheusSamples.value(text, "wsgrid_cluster_nodes")).isEqualTo(3);
  }
}
