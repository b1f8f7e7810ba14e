package io.wsgrid.presence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/**
 * Who is subscribed to a channel, across the whole cluster. Entries of a node that leaves or dies
 * disappear within seconds of the cluster noticing. Methods may be called from any event loop and
 * never block it.
 */
public interface Presence {

  /**
   * Records that {@code client} of {@code user} (its token's {@code sub}; null when anonymous)
   * subscribed to {@code channel} on this node.
   */
  Future<Void> join(String channel, String client, String user);

  /** Removes the record of {@code client} in {@code channel}. */
  Future<Void> leave(String channel, String client);

  /**
   * {@code [{"client":…,"user":…,"node":…}, …]} for the channel ({@code user} absent when
   * anonymous).
   */
  Future<JsonArray> list(String channel);
}
