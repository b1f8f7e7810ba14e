package io.wsgrid.api;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.api.NodeCalls.Answer;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server API's methods that every node answers for its own sessions, gathered over the event
 * bus from each node in the registry ({@link NodeCalls}): {@code channels}, {@code info}, {@code
 * disconnect}, {@code subscribe} and {@code unsubscribe}. A node that does not answer makes the
 * call {@code unavailable} (all but {@code info}, which shows it with its {@code error}), saying
 * which node and what the others did; every one of these calls may be repeated.
 */
final class ClusterMethods {
  static final int DEFAULT_CLOSE_CODE = 4000;
  static final String DEFAULT_REASON = "disconnected by the server";

  private final NodeCalls nodes;

  ClusterMethods(NodeCalls nodes) {
    this.nodes = nodes;
  }

  /** {@code {"channels":{"<channel>":{"subscribers":n},…}}}, by name. */
  Future<Buffer> channels(byte[] bytes) {
    String pattern = ApiBody.of("channels", bytes).text("pattern");
    return nodes
        .all(NodeCalls.channels(pattern))
        .map(
            answers -> {
              Map<String, Integer> total = new TreeMap<>();
              for (Answer answer : complete("channels", answers, null)) {
                answer
                    .body()
                    .forEach(e -> total.merge(e.getKey(), (Integer) e.getValue(), Integer::sum));
              }
              JsonObject channels = new JsonObject();
              total.forEach(
                  (name, n) -> channels.put(name, new JsonObject().put("subscribers", n)));
              return new JsonObject().put("channels", channels).toBuffer();
            });
  }

  /**
   * {@code {"nodes":[{"id","state","connections","subscriptions"},…]}}; a silent node with {@code
   * error}.
   */
  Future<Buffer> info(byte[] bytes) {
    ApiBody.of("info", bytes);
    return nodes
        .all(NodeCalls.info())
        .map(
            answers -> {
              JsonArray list = new JsonArray();
              for (Answer answer : answers) {
                list.add(
                    answer.body() != null
                        ? answer.body()
                        : new JsonObject()
                            .put("id", answer.node().id())
                            .put("state", answer.node().state().name())
                            .put("connections", answer.node().connections())
                            .put("error", answer.failure()));
              }
              return new JsonObject().put("nodes", list).toBuffer();
            });
  }

  /** {@code {"disconnected":n}}: the user's sockets closed, cluster-wide. */
  Future<Buffer> disconnect(byte[] bytes) {
    ApiBody body = ApiBody.of("disconnect", bytes);
    String user = body.user();
    int code = (int) body.integer("code", 4000, 4999, DEFAULT_CLOSE_CODE);
    String reason = body.text("reason");
    if (reason != null && reason.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          "disconnect: reason must fit a close frame: at most 123 bytes of UTF-8");
    }
    if (body.integer("until", 0, Long.MAX_VALUE, 0) != 0) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          "disconnect: until is not supported yet: disconnect without it (and refuse the user's"
              + " new tokens in your token service meanwhile)");
    }
    return summed(
        "disconnect",
        "disconnected",
        NodeCalls.disconnect(user, code, reason == null ? DEFAULT_REASON : reason));
  }

  /** {@code {"sockets":n}}: the user's sockets subscribed, cluster-wide. */
  Future<Buffer> subscribe(byte[] bytes) {
    return membership("subscribe", bytes);
  }

  /** {@code {"sockets":n}}: the user's sockets unsubscribed, cluster-wide. */
  Future<Buffer> unsubscribe(byte[] bytes) {
    return membership("unsubscribe", bytes);
  }

  private Future<Buffer> membership(String method, byte[] bytes) {
    ApiBody body = ApiBody.of(method, bytes);
    String user = body.user();
    String channel = body.channel();
    return summed(method, "sockets", NodeCalls.membership(method, user, channel));
  }

  private Future<Buffer> summed(String method, String field, JsonObject call) {
    return nodes
        .all(call)
        .map(
            answers -> {
              long sum = 0;
              for (Answer answer : complete(method, answers, field))
                sum += answer.body().getLong("count");
              return new JsonObject().put(field, sum).toBuffer();
            });
  }

  /**
   * The answers, when every node gave one; else fails {@code unavailable} naming the silent nodes
   * and (with {@code field}) what the others did.
   */
  private static List<Answer> complete(String method, List<Answer> answers, String field) {
    List<Answer> failed = answers.stream().filter(a -> a.body() == null).toList();
    if (failed.isEmpty()) return answers;
    long done =
        field == null
            ? 0
            : answers.stream()
                .filter(a -> a.body() != null)
                .mapToLong(a -> a.body().getLong("count", 0L))
                .sum();
    throw new ProtocolError(
        ErrorCode.UNAVAILABLE,
        method
            + " reached "
            + (answers.size() - failed.size())
            + " of "
            + answers.size()
            + " nodes"
            + (field == null ? "" : " (" + field + " " + done + " there)")
            + ": "
            + String.join("; ", failed.stream().map(Answer::failure).toList())
            + "; retry");
  }
}
