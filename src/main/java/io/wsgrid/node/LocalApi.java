package io.wsgrid.node;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.wsgrid.api.LocalNode;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.session.LocalSessions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * This node's answers to the server API's cluster-wide calls: each event loop's sessions, summed.
 */
final class LocalApi implements LocalNode {
  private final Node node;
  private final List<LocalSessions> loops;
  private final BooleanSupplier stopping;

  LocalApi(Node node, List<LocalSessions> loops, BooleanSupplier stopping) {
    this.node = node;
    this.loops = loops;
    this.stopping = stopping;
  }

  @Override
  public String name() {
    return node.name();
  }

  @Override
  public Future<Map<String, Integer>> channels(Predicate<String> filter) {
    return onEachLoop(sessions -> Future.succeededFuture(sessions.channels(filter)))
        .map(
            parts -> {
              Map<String, Integer> total = new HashMap<>();
              parts.forEach(part -> part.forEach((name, n) -> total.merge(name, n, Integer::sum)));
              return total;
            });
  }

  @Override
  public JsonObject info() {
    return new JsonObject()
        .put("id", node.name())
        .put(
            "state",
            (stopping.getAsBoolean() ? NodeEntry.State.DRAINING : NodeEntry.State.UP).name())
        .put("connections", node.metrics().connections())
        .put("subscriptions", node.metrics().subscriptions());
  }

  @Override
  public Future<Integer> disconnect(String user, int code, String reason) {
    WebSocketCloseStatus status = new WebSocketCloseStatus(code, reason);
    return summed(sessions -> Future.succeededFuture(sessions.disconnect(user, status)));
  }

  @Override
  public Future<Integer> subscribe(String user, String channel) {
    return summed(sessions -> sessions.subscribe(user, channel));
  }

  @Override
  public Future<Integer> unsubscribe(String user, String channel) {
    return summed(sessions -> Future.succeededFuture(sessions.unsubscribe(user, channel)));
  }

  private Future<Integer> summed(Function<LocalSessions, Future<Integer>> action) {
    return onEachLoop(action).map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
  }

  /** Runs {@code action} on each event loop's sessions, on that loop; gathers the results. */
  private <T> Future<List<T>> onEachLoop(Function<LocalSessions, Future<T>> action) {
    List<Future<T>> parts = new ArrayList<>();
    for (LocalSessions sessions : loops) {
      Promise<T> part = Promise.promise();
      sessions.context().runOnContext(v -> action.apply(sessions).onComplete(part));
      parts.add(part.future());
    }
    return Future.all(parts).map(v -> parts.stream().map(Future::result).toList());
  }
}
