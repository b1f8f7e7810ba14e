package io.wsgrid.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.wsgrid.broker.Broker;
import io.wsgrid.broker.HistoryUnavailable;
import io.wsgrid.broker.Publication;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;
import io.wsgrid.protocol.ServerApiCodec;
import io.wsgrid.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code history {channel, since?, limit?, reverse?}}: the channel's position and up to {@code
 * limit} (default {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}) of the publications its
 * history keeps, oldest first (newest first with {@code reverse}); with {@code since} only those
 * after it, and {@code recovered}: false when the epoch changed or history no longer reaches back
 * to it (then no publications: never a silent hole). A channel whose namespace keeps no history
 * answers its position and no publications.
 */
final class HistoryMethod {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final Broker broker;

  HistoryMethod(Broker broker) {
    this.broker = broker;
  }

  Future<Buffer> call(byte[] bytes) {
    ApiBody body = ApiBody.of("history", bytes);
    String channel = body.channel();
    int limit = (int) body.integer("limit", 0, MAX_LIMIT, DEFAULT_LIMIT);
    boolean reverse = body.flag("reverse");
    StreamPosition since = since(body);
    boolean keeps = broker.policy(channel).hasHistory();
    // Each step goes on from this event loop: the broker's futures may complete on a Hazelcast
    // thread, which must not call the cluster again.
    Context context = Vertx.currentContext();
    return here(context, broker.position(channel))
        .compose(
            position -> {
              long tail = position.offset();
              if (since == null && (!keeps || limit == 0 || tail < 0)) {
                return Future.succeededFuture(reply(position, null, channel, List.of()));
              }
              if (since != null
                  && (!since.epoch().equals(position.epoch())
                      || since.offset() >= tail
                      || !keeps)) {
                boolean upToDate = since.epoch().equals(position.epoch()) && since.offset() >= tail;
                return Future.succeededFuture(reply(position, upToDate, channel, List.of()));
              }
              return here(context, broker.oldest(channel))
                  .compose(
                      oldest -> {
                        long from = since == null ? oldest : since.offset() + 1;
                        if (since != null && from < oldest) {
                          return Future.succeededFuture(reply(position, false, channel, List.of()));
                        }
                        long lo = reverse ? Math.max(from, tail - limit + 1) : from;
                        long hi = reverse ? tail : Math.min(tail, from + limit - 1);
                        if (lo > hi) {
                          return Future.succeededFuture(
                              reply(position, since == null ? null : true, channel, List.of()));
                        }
                        return broker
                            .history(channel, lo, hi)
                            .map(
                                found -> {
                                  List<Publication> list = new ArrayList<>(found);
                                  if (reverse) Collections.reverse(list);
                                  return reply(
                                      position, since == null ? null : true, channel, list);
                                })
                            .recover(
                                e ->
                                    e instanceof HistoryUnavailable && since != null
                                        ? Future.succeededFuture(
                                            reply(position, false, channel, List.of()))
                                        : Future.failedFuture(e));
                      });
            })
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof ProtocolError
                        ? e
                        : new ProtocolError(
                            ErrorCode.UNAVAILABLE,
                            "the cluster could not read the history of "
                                + channel
                                + " ("
                                + e.getMessage()
                                + "); retry")));
  }

  private static <T> Future<T> here(Context context, Future<T> future) {
    Promise<T> here = Promise.promise();
    future.onComplete(ar -> context.runOnContext(v -> here.handle(ar)));
    return here.future();
  }

  private static Buffer reply(
      StreamPosition position, Boolean recovered, String channel, List<Publication> found) {
    return ServerApiCodec.history(
        position.epoch(),
        position.offset(),
        recovered,
        channel,
        found.stream().map(Publication::offset).toList(),
        found.stream().map(Publication::frame).toList());
  }

  private static StreamPosition since(ApiBody body) {
    JsonObject since = body.object("since", "{\"offset\":n,\"epoch\":\"…\"}");
    if (since == null) return null;
    Object offset = since.getValue("offset");
    Object epoch = since.getValue("epoch");
    if (!(offset instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < -1) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST,
          "history: since.offset must be an integer >= -1 (-1: nothing received yet)");
    }
    if (!(epoch instanceof String e) || e.isEmpty() || e.length() > 64) {
      throw new ProtocolError(
          ErrorCode.BAD_REQUEST, "history: since.epoch must be a string of 1 to 64 characters");
    }
    return new StreamPosition(n.longValue(), e);
  }
}
