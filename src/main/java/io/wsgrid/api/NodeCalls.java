package io.wsgrid.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.config.ChannelPatterns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The server API's cluster-wide calls over the clustered event bus: {@link #all} asks every node in
 * the registry at its {@link NodeEntry#apiAddress} and gathers the answers; {@link #listen} makes a
 * node answer about its own sessions ({@link LocalNode}). A call is a JSON object {@code
 * {"method":…,…}}; this class is the only one that knows its fields.
 */
public final class NodeCalls {
  static final long TIMEOUT_MS = 5_000;

  /** One node's answer, or why it gave none. */
  record Answer(NodeEntry node, JsonObject body, String failure) {}

  private final EventBus bus;
  private final Supplier<List<NodeEntry>> registry;

  /** Calls over {@code vertx}'s event bus to the nodes {@code registry} lists at that moment. */
  public NodeCalls(Vertx vertx, Supplier<List<NodeEntry>> registry) {
    this.bus = vertx.eventBus();
    this.registry = registry;
  }

  /** Registers {@code node}'s answers; completes once the cluster knows them. */
  public static Future<Void> listen(Vertx vertx, LocalNode node) {
    return vertx
        .eventBus()
        .<JsonObject>consumer(
            NodeEntry.apiAddress(node.name()),
            message -> {
              Future<JsonObject> answer;
              try {
                answer = answer(node, message.body());
              } catch (RuntimeException e) {
                answer = Future.failedFuture(e);
              }
              answer.onComplete(
                  ar -> {
                    if (ar.succeeded()) message.reply(ar.result());
                    else message.fail(500, String.valueOf(ar.cause().getMessage()));
                  });
            })
        .completion();
  }

  private static Future<JsonObject> answer(LocalNode node, JsonObject call) {
    String method = call.getString("method", "");
    return switch (method) {
      case "channels" -> {
        Pattern pattern = ChannelPatterns.compile(call.getString("pattern", "*"));
        yield node.channels(name -> pattern.matcher(name).matches())
            .map(counts -> new JsonObject((Map<String, Object>) (Map<?, ?>) counts));
      }
      case "info" -> Future.succeededFuture(node.info());
      case "disconnect" ->
          count(
              node.disconnect(
                  call.getString("user"), call.getInteger("code"), call.getString("reason")));
      case "subscribe" -> count(node.subscribe(call.getString("user"), call.getString("channel")));
      case "unsubscribe" ->
          count(node.unsubscribe(call.getString("user"), call.getString("channel")));
      default ->
          Future.failedFuture(
              new IllegalArgumentException(
                  "no such call '" + method + "' (a wsgrid older than the caller: upgrade it)"));
    };
  }

  private static Future<JsonObject> count(Future<Integer> count) {
    return count.map(n -> new JsonObject().put("count", n));
  }

  static JsonObject channels(String pattern) {
    JsonObject call = new JsonObject().put("method", "channels");
    return pattern == null ? call : call.put("pattern", pattern);
  }

  static JsonObject info() {
    return new JsonObject().put("method", "info");
  }

  static JsonObject disconnect(String user, int code, String reason) {
    return new JsonObject()
        .put("method", "disconnect")
        .put("user", user)
        .put("code", code)
        .put("reason", reason);
  }

  static JsonObject membership(String method, String user, String channel) {
    return new JsonObject().put("method", method).put("user", user).put("channel", channel);
  }

  /** Sends {@code call} to every node in the registry; completes with each one's answer. */
  Future<List<Answer>> all(JsonObject call) {
    List<NodeEntry> nodes = registry.get();
    List<Future<Answer>> answers = new ArrayList<>(nodes.size());
    for (NodeEntry node : nodes) {
      answers.add(
          bus.<JsonObject>request(
                  NodeEntry.apiAddress(node.id()),
                  call,
                  new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
              .map(Message::body)
              .map(body -> new Answer(node, body, null))
              .otherwise(e -> new Answer(node, null, failure(node.id(), e))));
    }
    return Future.all(answers).map(v -> answers.stream().map(Future::result).toList());
  }

  private static String failure(String node, Throwable e) {
    if (e instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case TIMEOUT -> "node " + node + " did not answer within " + TIMEOUT_MS + " ms";
        case NO_HANDLERS -> "node " + node + " takes no API calls (starting or stopping)";
        case RECIPIENT_FAILURE -> "node " + node + " failed: " + reply.getMessage();
        case ERROR -> "node " + node + " could not be reached: " + reply.getMessage();
      };
    }
    return "node " + node + ": " + e.getMessage();
  }
}
