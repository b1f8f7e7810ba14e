package io.wsgrid.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.util.List;

/**
 * Carries publications from the node that got their offsets to the other nodes that follow their
 * channels, one message per node per batch. Messages from one node to another arrive in the order
 * they were sent; a message to a node that is gone is dropped.
 */
public interface Fanout {

  /** Starts receiving this node's messages; {@code handler} runs on {@code context}. */
  Future<Void> start(Context context, Handler<List<Delivery>> handler);

  /** Sends {@code deliveries} to the node whose follower id is {@code node}. */
  void send(String node, List<Delivery> deliveries);

  /**
   * Checks that other nodes can reach this one; if they cannot (its registration was lost), makes
   * it reachable again and completes with false.
   */
  Future<Boolean> verify();
}
