package io.wsgrid.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.NodeEntry;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A node's answers to the edges over the clustered event bus (the edges are cluster members; the
 * event bus is the cluster's own transport, with {@code --cluster-tls} when set): its stats for the
 * dashboard, a drain, and shedding sockets for a rebalance. The edge's side is {@code
 * io.wsgrid.edge.NodeControl}; the addresses are {@link NodeEntry}'s.
 */
final class EdgeRequests {
  /** The answer to a drain, over the event bus and {@code POST /admin/drain} alike. */
  static final String DRAINING = "draining: closing sockets with 1001, then leaving the cluster\n";

  private EdgeRequests() {}

  /** Registers the three consumers; completes once the cluster knows them. */
  static Future<Void> listen(Vertx vertx, Node node, BooleanSupplier stopping) {
    EventBus bus = vertx.eventBus();
    String name = node.name();
    return Future.all(
            List.of(
                bus.consumer(
                        NodeEntry.statsAddress(name),
                        message -> message.reply(node.metrics().stats()))
                    .completion(),
                bus.consumer(
                        NodeEntry.drainAddress(name),
                        message -> {
                          message.reply(DRAINING);
                          node.stop();
                        })
                    .completion(),
                bus.<JsonObject>consumer(
                        NodeEntry.shedAddress(name),
                        message -> {
                          long count = Math.max(0, message.body().getLong("count", 0L));
                          message.reply(new JsonObject().put("node", name).put("shedding", count));
                          if (count > 0 && !stopping.getAsBoolean()) node.shed(count);
                        })
                    .completion()))
        .mapEmpty();
  }
}
