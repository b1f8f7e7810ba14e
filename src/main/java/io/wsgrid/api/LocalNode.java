package io.wsgrid.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What one node answers about its own sessions for the server API's cluster-wide methods, asked
 * over the event bus by {@link NodeCalls}. Methods may be called from any thread, never block, and
 * complete on any thread.
 */
public interface LocalNode {
  /** The node's name, as in the registry. */
  String name();

  /** The channels with subscribers on this node whose names pass {@code filter}, and how many. */
  Future<Map<String, Integer>> channels(Predicate<String> filter);

  /** {@code {"id","state","connections","subscriptions"}}. */
  JsonObject info();

  /** Closes every socket of {@code user} here with {@code code} and {@code reason}; how many. */
  Future<Integer> disconnect(String user, int code, String reason);

  /**
   * Subscribes every socket of {@code user} here to {@code channel} (those not yet subscribed and
   * under their subscription limit); how many it subscribed.
   */
  Future<Integer> subscribe(String user, String channel);

  /** Unsubscribes every socket of {@code user} here from {@code channel}; how many were. */
  Future<Integer> unsubscribe(String user, String channel);
}
