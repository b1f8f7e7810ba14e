package io.wsgrid.presence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/**
 * Who is subscribed to a channel, across the whole cluster. Entries of a node that leaves or dies
 * disappear within seconds of the cluster noticing. Methods may be called from any event loop and
 * never block it.
 */
public interface Presence {

  /** Records that {@code client} on {@code node} subscribed to {@code channel}. */
  Future<Void> join(String channel, String client);

  /** Removes the record. */
  Future<Void> leave(String channel, String client);

  /** {@code [{"client":…,"node":…}, …]} for the channel. */
  Future<JsonArray> list(String channel);
}
