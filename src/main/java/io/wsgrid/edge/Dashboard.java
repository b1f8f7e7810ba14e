package io.wsgrid.edge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.cluster.RegistryView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live cluster view behind the edge's dashboard page ({@code GET /}): once a second it asks
 * every node for its stats over the event bus ({@link NodeControl}), turns the counters into
 * per-second rates, keeps the last {@link #HISTORY_MS} of connections and deliveries per second per
 * node ({@link DashboardHistory}), and sends each page listening on {@code GET /admin/stream}
 * (Server-Sent Events) one JSON event: nodes (state, connections, messages in/out per second,
 * delivery p99; nodes that left within the window as LEFT; a node that did not answer in time as
 * unreachable) and cluster totals. A page that connects first gets the history. Also relays {@code
 * POST /admin/nodes/:id/drain} to the node, so the page needs no other origin.
 */
final class Dashboard {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  private static final long PERIOD_MS = 1_000;
  static final long HISTORY_MS = 5 * 60_000;

  private final Vertx vertx;
  private final RegistryView view;
  private final String strategy;
  private final String edgeName;
  private final NodeControl control;
  private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
  private final Map<String, JsonObject> previous = new HashMap<>();

  /** Nodes whose last stats request failed: logged once, when they turn so. */
  private final Set<String> unreachable = new HashSet<>();

  private final DashboardHistory history = new DashboardHistory(HISTORY_MS);

  Dashboard(Vertx vertx, RegistryView view, NodeControl control, EdgeSettings settings) {
    this.vertx = vertx;
    this.view = view;
    this.control = control;
    this.strategy = settings.strategy();
    this.edgeName = settings.name();
  }

  /**
   * Samples once a second for as long as the edge runs, so a page opened late still shows the last
   * minutes.
   */
  void start() {
    vertx.setPeriodic(0, PERIOD_MS, timer -> tick());
  }

  void stream(RoutingContext ctx) {
    HttpServerResponse response =
        ctx.response()
            .putHeader("content-type", "text/event-stream")
            .putHeader("cache-control", "no-cache")
            .setChunked(true);
    response.write("retry: 2000\n\n");
    response.write(
        Buffer.buffer(
            "data: "
                + new JsonObject()
                    .put("historyMs", HISTORY_MS)
                    .put("history", history.toJson())
                    .encode()
                + "\n\n"));
    streams.add(response);
    response.closeHandler(v -> streams.remove(response));
  }

  private void tick() {
    List<NodeEntry> nodes = view.snapshot();
    List<Future<JsonObject>> polls = new ArrayList<>();
    for (NodeEntry node : nodes) polls.add(control.stats(node.id()));
    Future.join(polls)
        .onComplete(
            ar -> {
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
                JsonObject card =
                    new JsonObject()
                        .put("id", node.id())
                        .put("state", node.state().name())
                        .put("weight", node.weight())
                        .put("wsUrl", node.wsUrl())
                        .put("connections", node.connections());
                if (stats != null) {
                  if (unreachable.remove(node.id()))
                    log.info("dashboard: node {} answers again", node.id());
                  stats.put("at", now);
                  JsonObject before = previous.put(node.id(), stats);
                  double seconds = before == null ? 0 : (now - before.getLong("at")) / 1e9;
                  double inRate =
                      seconds > 0
                          ? (stats.getLong("received") - before.getLong("received")) / seconds
                          : 0;
                  double outRate =
                      seconds > 0
                          ? (stats.getLong("delivered") - before.getLong("delivered")) / seconds
                          : 0;
                  card.put("connections", stats.getLong("connections"))
                      .put("inPerSec", Math.round(inRate))
                      .put("outPerSec", Math.round(outRate))
                      .put("deliveryP99Ms", stats.getDouble("deliveryP99Ms"))
                      .put("slowConsumerDisconnects", stats.getLong("slowConsumerDisconnects"));
                  in += inRate;
                  out += outRate;
                } else {
                  card.put("unreachable", true);
                  if (unreachable.add(node.id()))
                    log.info("dashboard: {}", polls.get(i).cause().getMessage());
                }
                connections += card.getLong("connections");
                samples.put(
                    node.id(),
                    new long[] {card.getLong("connections"), card.getLong("outPerSec", 0L)});
                cards.add(card);
              }
              List<String> present = nodes.stream().map(NodeEntry::id).toList();
              previous.keySet().retainAll(present);
              unreachable.retainAll(present);
              history.record(at, samples);
              history
                  .left()
                  .forEach(
                      (id, leftAt) ->
                          cards.add(
                              new JsonObject()
                                  .put("id", id)
                                  .put("state", "LEFT")
                                  .put("leftAt", leftAt)
                                  .put("connections", 0)
                                  .put("inPerSec", 0)
                                  .put("outPerSec", 0)));
              if (streams.isEmpty()) return;
              JsonObject event =
                  new JsonObject()
                      .put("at", at)
                      .put("edge", edgeName)
                      .put("strategy", strategy)
                      .put("nodes", cards)
                      .put(
                          "totals",
                          new JsonObject()
                              .put("nodes", nodes.size())
                              .put("connections", connections)
                              .put("inPerSec", Math.round(in))
                              .put("outPerSec", Math.round(out)));
              Buffer frame = Buffer.buffer("data: " + event.encode() + "\n\n");
              for (HttpServerResponse response : streams) {
                if (!response.writeQueueFull()) response.write(frame);
              }
            });
  }

  void drain(RoutingContext ctx) {
    NodeEntry node = view.get(ctx.pathParam("id"));
    if (node == null) {
      ctx.response()
          .setStatusCode(404)
          .end("no node '" + ctx.pathParam("id") + "' in the registry: see GET /admin/nodes\n");
      return;
    }
    log.info("dashboard: drain of {} asked", node.id());
    control
        .drain(node.id())
        .onComplete(
            ar -> {
              if (ar.succeeded()) ctx.response().setStatusCode(202).end(ar.result());
              else ctx.response().setStatusCode(502).end(ar.cause().getMessage() + "\n");
            });
  }
}
