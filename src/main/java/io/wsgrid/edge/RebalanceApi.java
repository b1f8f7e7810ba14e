package io.wsgrid.edge;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.cluster.RegistryView;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /admin/rebalance}: each UP node's fair share is the total of connections split by
 * weight; a node more than {@code threshold} above its share is asked (over the event bus) to shed
 * just the sockets above it, with 1012 at its drain rate. Their clients reconnect through the edge,
 * which routes them to the lighter nodes. Answers with the plan.
 */
final class RebalanceApi {
  private final RegistryView view;
  private final EventBus eventBus;
  private final double threshold;

  RebalanceApi(RegistryView view, EventBus eventBus, double threshold) {
    this.view = view;
    this.eventBus = eventBus;
    this.threshold = threshold;
  }

  void rebalance(RoutingContext ctx) {
    List<NodeEntry> up = view.snapshot().stream().filter(NodeEntry::isUp).toList();
    long total = up.stream().mapToLong(NodeEntry::connections).sum();
    long weights = up.stream().mapToLong(NodeEntry::weight).sum();
    JsonArray plan = new JsonArray();
    List<Future<?>> asked = new ArrayList<>();
    for (NodeEntry node : up) {
      double share = weights == 0 ? 0 : (double) total * node.weight() / weights;
      long shed = node.connections() > share * (1 + threshold) ? node.connections() - (long) Math.ceil(share) : 0;
      plan.add(new JsonObject().put("node", node.id()).put("connections", node.connections())
          .put("share", Math.round(share)).put("shed", shed));
      if (shed > 0) asked.add(eventBus.request(NodeEntry.shedAddress(node.id()), new JsonObject().put("count", shed)));
    }
    Future.join(asked).onComplete(ar -> ctx.response().putHeader("content-type", "application/json")
        .setStatusCode(ar.succeeded() ? 200 : 502)
        .end(new JsonObject().put("total", total).put("threshold", threshold).put("plan", plan)
            .put("status", ar.succeeded() ? "shedding" : "some nodes did not answer: " + ar.cause().getMessage())
            .encodePrettily()));
  }
}
