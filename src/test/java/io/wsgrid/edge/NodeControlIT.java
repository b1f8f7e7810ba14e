package io.wsgrid.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.edge.balance.BalancingStrategy;
import io.wsgrid.edge.balance.Candidate;
import io.wsgrid.node.Node;
import io.wsgrid.security.TlsSettings;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The edge's control of real clustered nodes over the event bus: the dashboard's stats and the
 * drain relay (the nodes have no HTTP client of the edge to answer), a registered node that takes
 * no requests shown as unreachable, and the strategy told of each tunnel that opens and closes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeControlIT {
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestNodes cluster;
  private static Edge edge;
  private static Vertx clients;
  private static final CountingStrategy strategy = new CountingStrategy();

  @BeforeAll
  static void start() {
    cluster = new TestNodes("control");
    cluster.start("a", 1, 64 * 1024, 4 << 20);
    cluster.start("b", 1, 64 * 1024, 4 << 20);
    EdgeSettings settings =
        new EdgeSettings(
            "edge1",
            "127.0.0.1",
            Ports.free(),
            "least-connections",
            1.25,
            Set.of(EdgeSettings.Mode.PROXY),
            3,
            1,
            0.1,
            0,
            new ClusterSettings(
                cluster.clusterName(), null, List.of(), "edge1", cluster.clusterPort()),
            null,
            TlsSettings.NONE,
            0);
    edge = Await.result(Edge.start(settings, strategy), Duration.ofSeconds(90));
    Await.until("the edge sees both nodes", WAIT, () -> edge.view().snapshot().size() == 2);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (clients != null) Await.result(clients.close());
    if (edge != null) {
      edge.stop();
      edge.awaitStopped(30, TimeUnit.SECONDS);
    }
    if (cluster != null) cluster.close();
  }

  @Test
  @Order(1)
  void theStrategyIsToldOfEveryTunnelThatOpensAndCloses() {
    List<WsClient> sockets = new ArrayList<>();
    for (int i = 0; i < 4; i++) sockets.add(WsClient.connect(clients, edge.settings().url()));
    Map<String, Long> perNode =
        sockets.stream().collect(Collectors.groupingBy(WsClient::node, Collectors.counting()));
    Await.until(
        "opened for each socket, by node " + perNode + " (told " + strategy.opened + ")",
        WAIT,
        () -> strategy.counts(strategy.opened).equals(perNode));
    assertThat(strategy.counts(strategy.closed)).isEmpty();
    sockets.forEach(WsClient::close);
    Await.until(
        "closed for each socket, by node " + perNode + " (told " + strategy.closed + ")",
        WAIT,
        () -> strategy.counts(strategy.closed).equals(perNode));
    assertThat(strategy.counts(strategy.opened)).as("no more opened").isEqualTo(perNode);
  }

  @Test
  @Order(2)
  void theDashboardShowsEachNodesStatsFromTheEventBus() throws Exception {
    List<WsClient> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) sockets.add(WsClient.connect(clients, edge.settings().url()));
      JsonObject view =
          nextView(
              view1 ->
                  cards(view1).size() == 2
                      && cards(view1).stream().mapToLong(c -> c.getLong("connections")).sum() == 3
                      && cards(view1).stream().allMatch(c -> c.containsKey("deliveryP99Ms")));
      for (JsonObject card : cards(view)) {
        assertThat(card.containsKey("unreachable")).as("card " + card).isFalse();
        assertThat(card.getLong("slowConsumerDisconnects"))
            .as("a field only the node's stats give")
            .isZero();
      }
      assertThat(view.getJsonObject("totals").getLong("connections")).isEqualTo(3);
    } finally {
      sockets.forEach(WsClient::close);
    }
  }

  @Test
  @Order(3)
  void aRegisteredNodeThatTakesNoRequestsShowsUnreachableAndItsDrainSaysWhy() throws Exception {
    Node a = cluster.nodes().get(0);
    IMap<String, String> registry = a.hazelcast().getMap(NodeEntry.MAP);
    NodeEntry real = edge.view().get("a");
    // An entry under a live member (so the edge keeps it), DRAINING (so no socket is routed to it),
    // with no node behind it.
    NodeEntry ghost =
        new NodeEntry(
            "ghost",
            "ws://127.0.0.1:1/ws",
            "http://127.0.0.1:1",
            1,
            5,
            -1,
            NodeEntry.State.DRAINING,
            System.currentTimeMillis(),
            real.member());
    registry.put("ghost", ghost.toJson().encode());
    try {
      Await.until("the edge sees the ghost", WAIT, () -> edge.view().get("ghost") != null);
      JsonObject view =
          nextView(v -> cards(v).stream().anyMatch(c -> c.getString("id").equals("ghost")));
      JsonObject card =
          cards(view).stream()
              .filter(c -> c.getString("id").equals("ghost"))
              .findFirst()
              .orElseThrow();
      assertThat(card.getBoolean("unreachable")).as("ghost's card " + card).isTrue();
      assertThat(card.getLong("connections")).as("what the registry says").isEqualTo(5);
      assertThat(
              cards(view).stream()
                  .filter(c -> !c.getString("id").equals("ghost"))
                  .noneMatch(c -> c.containsKey("unreachable")))
          .as("the real nodes still answer: " + view)
          .isTrue();

      HttpResponse<String> drain = post("/admin/nodes/ghost/drain");
      assertThat(drain.statusCode()).isEqualTo(502);
      assertThat(drain.body()).startsWith("node ghost takes no drain requests on the event bus");
    } finally {
      registry.remove("ghost");
    }
    HttpResponse<String> unknown = post("/admin/nodes/nobody/drain");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("no node 'nobody' in the registry");
  }

  @Test
  @Order(4)
  void theDrainRelayReachesTheNodeOverTheEventBus() throws Exception {
    Node b = cluster.nodes().get(1);
    HttpResponse<String> drain = post("/admin/nodes/b/drain");
    assertThat(drain.statusCode()).as(drain.body()).isEqualTo(202);
    assertThat(drain.body())
        .isEqualTo("draining: closing sockets with 1001, then leaving the cluster\n");
    assertThat(b.awaitStopped(60, TimeUnit.SECONDS)).as("b drained and stopped").isTrue();
    Await.until("b left the edge's view", WAIT, () -> edge.view().get("b") == null);
  }

  private static HttpResponse<String> post(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.settings().port() + path))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(WAIT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<JsonObject> cards(JsonObject view) {
    JsonArray nodes = view.getJsonArray("nodes", new JsonArray());
    return nodes.stream()
        .map(o -> (JsonObject) o)
        .filter(c -> !"LEFT".equals(c.getString("state")))
        .toList();
  }

  /**
   * The first view on {@code GET /admin/stream} that matches, within {@link #WAIT} (the history
   * event is skipped).
   */
  private static JsonObject nextView(Predicate<JsonObject> wanted) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.settings().port() + "/admin/stream"))
            .build();
    BlockingQueue<JsonObject> views = new ArrayBlockingQueue<>(1_000);
    HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    Thread reader =
        new Thread(
            () -> {
              try (Stream<String> lines = response.body()) {
                lines
                    .filter(line -> line.startsWith("data: "))
                    .map(line -> new JsonObject(line.substring(6)))
                    .filter(event -> event.containsKey("nodes"))
                    .forEach(views::offer);
              } catch (RuntimeException e) {
                // the stream was closed below
              }
            },
            "dashboard-stream");
    reader.setDaemon(true);
    reader.start();
    List<JsonObject> seen = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        JsonObject view = views.poll(500, TimeUnit.MILLISECONDS);
        if (view == null) continue;
        if (wanted.test(view)) return view;
        seen.add(view);
      }
      throw new AssertionError(
          "no matching dashboard view within "
              + WAIT
              + "; the last: "
              + (seen.isEmpty() ? "none" : seen.get(seen.size() - 1).encode()));
    } finally {
      response.body().close();
      reader.interrupt();
    }
  }

  /** Least connections, and a count of what the edge tells it, by node. */
  static final class CountingStrategy implements BalancingStrategy {
    final Map<String, AtomicLong> opened = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> closed = new ConcurrentHashMap<>();
    private final BalancingStrategy inner = BalancingStrategy.create("least-connections", 1.25);

    @Override
    public Optional<Candidate> pick(List<Candidate> candidates, String key) {
      return inner.pick(candidates, key);
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public void opened(String node) {
      opened.computeIfAbsent(node, k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public void closed(String node) {
      closed.computeIfAbsent(node, k -> new AtomicLong()).incrementAndGet();
    }

    Map<String, Long> counts(Map<String, AtomicLong> events) {
      return events.entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }
  }
}
