package io.wsgrid.edge;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.NodeEntry;

/**
 * The edge's requests to a node, over the clustered event bus (the edge is a cluster member, so it
 * needs no HTTP client, node URL or admin token for them): the dashboard's stats, a drain, and
 * shedding sockets for a rebalance. Each answer comes within its timeout, or the future fails with
 * a message that names the node and says what to check. The node answers in {@code
 * io.wsgrid.node.EdgeRequests}.
 */
final class NodeControl {
  /** Under the dashboard's one-second tick. */
  static final long STATS_TIMEOUT_MS = 800;

  static final long DRAIN_TIMEOUT_MS = 5_000;
  static final long SHED_TIMEOUT_MS = DeliveryOptions.DEFAULT_TIMEOUT;

  private final EventBus bus;

  NodeControl(EventBus bus) {
    this.bus = bus;
  }

  /** The node's counters ({@code GET /stats} on the node gives the same). */
  Future<JsonObject> stats(String node) {
    return request(node, "stats", NodeEntry.statsAddress(node), null, STATS_TIMEOUT_MS);
  }

  /** Starts the node's drain; completes with the node's answer (what it is doing). */
  Future<String> drain(String node) {
    return request(node, "drain", NodeEntry.drainAddress(node), null, DRAIN_TIMEOUT_MS);
  }

  /** Asks the node to close {@code count} sockets with 1012; completes with its acknowledgement. */
  Future<JsonObject> shed(String node, long count) {
    return request(
        node,
        "shed",
        NodeEntry.shedAddress(node),
        new JsonObject().put("count", count),
        SHED_TIMEOUT_MS);
  }

  private <T> Future<T> request(
      String node, String what, String address, Object body, long timeoutMs) {
    return bus.<T>request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(Message::body)
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalStateException(failure(node, what, timeoutMs, e), e)));
  }

  /** Why a request failed, for an operator: names the node and what to look at. */
  static String failure(String node, String what, long timeoutMs, Throwable e) {
    if (!(e instanceof ReplyException reply))
      return "node " + node + " did not answer the " + what + " request: " + e.getMessage();
    return switch (reply.failureType()) {
      case TIMEOUT ->
          "node "
              + node
              + " did not answer the "
              + what
              + " request within "
              + timeoutMs
              + " ms (overloaded, paused, or cut off from this edge? see its log and GET /admin/nodes)";
      case NO_HANDLERS ->
          "node "
              + node
              + " takes no "
              + what
              + " requests on the event bus (starting, stopped, "
              + "or a wsgrid older than this edge: upgrade it)";
      case RECIPIENT_FAILURE ->
          "node " + node + " failed the " + what + " request: " + reply.getMessage();
      case ERROR ->
          "the " + what + " request to node " + node + " could not be sent: " + reply.getMessage();
    };
  }
}
