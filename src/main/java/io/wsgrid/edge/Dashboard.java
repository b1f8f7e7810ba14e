package io.wsgrid.edge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.cluster.RegistryView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live cluster view behind the edge's dashboard page ({@code GET /}): once a second it reads
 * every node's {@code GET /stats}, turns the counters into per-second rates, keeps the last
 * {@link #HISTORY_MS} of connections and deliveries per second per node ({@link DashboardHistory}),
 * and sends each page listening on {@code GET /admin/stream} (Server-Sent Events) one JSON event:
 * nodes (state, connections, messages in/out per second, delivery p99; nodes that left within the
 * window as LEFT) and cluster totals. A page that connects first gets the history. Also relays
 * {@code POST /admin/nodes/:id/drain} to the node, so the page needs no other origin.
 */
final class Dashboard {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  private static final long PERIOD_MS = 1_000;
  static final long HISTORY_MS = 5 * 60_000;

  private final Vertx vertx;
  private final RegistryView view;
  private final String strategy;
  private final String edgeName;
  private final HttpClient http;
  private final String adminToken;
  private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
  private final Map<String, JsonObject> previous = new HashMap<>();
  private final DashboardHistory history = new DashboardHistory(HISTORY_MS);

  Dashboard(Vertx vertx, RegistryView view, EdgeSettings settings) {
    this.vertx = vertx;
    this.view = view;
    this.strategy = settings.strategy();
    this.edgeName = settings.name();
    this.adminToken = settings.adminToken();
    HttpClientOptions options = new HttpClientOptions().setConnectTimeout(800).setKeepAlive(true);
    // Nodes serving https:// are trusted through --tls-ca (or the JVM's store), host names verified.
    if (settings.tls().ca() != null) options.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(settings.tls().ca()));
    this.http = vertx.createHttpClient(options.setVerifyHost(true));
  }

  /** Samples once a second for as long as the edge runs, so a page opened late still shows the last minutes. */
  void start() {
    vertx.setPeriodic(0, PERIOD_MS, timer -> tick());
  }

  void stream(RoutingContext ctx) {
    HttpServerResponse response = ctx.response().putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache").setChunked(true);
    response.write("retry: 2000\n\n");
    response.write(Buffer.buffer("data: " + new JsonObject().put("historyMs", HISTORY_MS).put("history", history.toJson()).encode() + "\n\n"));
    streams.add(response);
    response.closeHandler(v -> streams.remove(response));
  }

  private void tick() {
    List<NodeEntry> nodes = view.snapshot();
    List<Future<JsonObject>> polls = new ArrayList<>();
    for (NodeEntry node : nodes) polls.add(poll(node));
    Future.join(polls).onComplete(ar -> {
      long now = System.nanoTime();
      long at = System.currentTimeMillis();
      Map<String, long[]> samples = new HashMap<>();
      JsonArray cards = new JsonArray();
      long connections = 0;
      double in = 0;
      double out = 0;
      for (int i = 0; i < nodes.size(); i++) {
        NodeEntry node = nodes.get(i);
        JsonObject stats = polls.get(i).succeeded() ? polls.get(i).result() : null;
        JsonObject card = new JsonObject().put("id", node.id()).put("state", node.state().name()).put("weight", node.weight())
            .put("wsUrl", node.wsUrl()).put("connections", node.connections());
        if (stats != null) {
          stats.put("at", now);
          JsonObject before = previous.put(node.id(), stats);
          double seconds = before == null ? 0 : (now - before.getLong("at")) / 1e9;
          double inRate = seconds > 0 ? (stats.getLong("received") - before.getLong("received")) / seconds : 0;
          double outRate = seconds > 0 ? (stats.getLong("delivered") - before.getLong("delivered")) / seconds : 0;
          card.put("connections", stats.getLong("connections")).put("inPerSec", Math.round(inRate))
              .put("outPerSec", Math.round(outRate)).put("deliveryP99Ms", stats.getDouble("deliveryP99Ms"))
              .put("slowConsumerDisconnects", stats.getLong("slowConsumerDisconnects"));
          in += inRate;
          out += outRate;
        } else {
          card.put("unreachable", true);
        }
        connections += card.getLong("connections");
        samples.put(node.id(), new long[] {card.getLong("connections"), card.getLong("outPerSec", 0L)});
        cards.add(card);
      }
      previous.keySet().retainAll(nodes.stream().map(NodeEntry::id).toList());
      history.record(at, samples);
      history.left().forEach((id, leftAt) -> cards.add(new JsonObject().put("id", id).put("state", "LEFT").put("leftAt", leftAt)
          .put("connections", 0).put("inPerSec", 0).put("outPerSec", 0)));
      if (streams.isEmpty()) return;
      JsonObject event = new JsonObject().put("at", at).put("edge", edgeName).put("strategy", strategy).put("nodes", cards)
          .put("totals", new JsonObject().put("nodes", nodes.size()).put("connections", connections)
              .put("inPerSec", Math.round(in)).put("outPerSec", Math.round(out)));
      Buffer frame = Buffer.buffer("data: " + event.encode() + "\n\n");
      for (HttpServerResponse response : streams) {
        if (!response.writeQueueFull()) response.write(frame);
      }
    });
  }

  private Future<JsonObject> poll(NodeEntry node) {
    return request(HttpMethod.GET, node.httpUrl() + "/stats")
        .compose(body -> Future.succeededFuture(new JsonObject(body)));
  }

  void drain(RoutingContext ctx) {
    NodeEntry node = view.get(ctx.pathParam("id"));
    if (node == null) {
      ctx.response().setStatusCode(404).end("no node '" + ctx.pathParam("id") + "' in the registry: see GET /admin/nodes\n");
      return;
    }
    log.info("dashboard: drain of {} asked", node.id());
    request(HttpMethod.POST, node.httpUrl() + "/admin/drain").onComplete(ar -> {
      if (ar.succeeded()) ctx.response().setStatusCode(202).end(ar.result());
      else ctx.response().setStatusCode(502).end("node " + node.id() + " did not answer: " + ar.cause().getMessage() + "\n");
    });
  }

  private Future<String> request(HttpMethod method, String url) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).setTimeout(800);
    // The nodes' /admin/* take the same admin token as the edge's.
    if (adminToken != null && url.contains("/admin/")) options.putHeader("Authorization", "Bearer " + adminToken);
    return http.request(options)
        .compose(request -> request.send())
        .compose(response -> response.statusCode() / 100 == 2 ? response.body().map(Buffer::toString)
            : Future.failedFuture(url + " answered " + response.statusCode()));
  }
}
