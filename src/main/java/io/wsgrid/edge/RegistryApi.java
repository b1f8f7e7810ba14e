package io.wsgrid.edge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.cluster.RegistryView;
import io.wsgrid.security.HttpGuards;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /assign} (a node's URL for a new client) and {@code GET /admin/nodes} (the registry as
 * this edge sees it).
 */
final class RegistryApi {
  private final NodePicker picker;
  private final RegistryView view;
  private final EdgeMetrics metrics;

  RegistryApi(NodePicker picker, RegistryView view, EdgeMetrics metrics) {
    this.picker = picker;
    this.view = view;
    this.metrics = metrics;
  }

  void assign(RoutingContext ctx) {
    Optional<NodeEntry> node = picker.pick(RoutingKey.of(ctx.request()), Set.of());
    if (node.isEmpty()) {
      metrics.failed("no_node");
      HttpGuards.sendError(
          ctx.response(),
          503,
          "no_node",
          "no wsgrid node is UP: start one and see GET /admin/nodes");
      return;
    }
    picker.routed(node.get().id());
    metrics.routed(node.get().id());
    ctx.response()
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(new JsonObject().put("node", node.get().id()).put("url", node.get().wsUrl()).encode());
  }

  void nodes(RoutingContext ctx) {
    JsonArray nodes = new JsonArray();
    long now = System.currentTimeMillis();
    for (NodeEntry entry : view.snapshot()) {
      nodes.add(
          entry
              .toJson()
              .put("pending", picker.pending(entry.id()))
              .put("ageMs", Math.max(0, now - entry.updatedAt())));
    }
    ctx.response()
        .putHeader("content-type", "application/json")
        .end(
            new JsonObject()
                .put("strategy", picker.strategy().name())
                .put("nodes", nodes)
                .encodePrettily());
  }
}
