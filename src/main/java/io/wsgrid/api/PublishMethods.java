package io.wsgrid.api;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.wsgrid.broker.Broker;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolCodec;
import io.wsgrid.protocol.ProtocolError;
import io.wsgrid.protocol.ServerApiCodec;
import io.wsgrid.protocol.ServerApiCodec.BatchItem;
import io.wsgrid.protocol.ServerApiCodec.Broadcast;
import io.wsgrid.protocol.ServerApiCodec.Publish;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code publish}, {@code broadcast} and {@code batch}: publications from a backend, with {@code
 * data} passed on as the bytes it sent. A call with an {@code idempotency_key} acts once within
 * {@link Idempotency#WINDOW_SECONDS}: a repeat gets the first call's reply. Keys are scoped: a
 * publication's (alone or in a batch) to its channel, a broadcast's to broadcasts.
 */
final class PublishMethods {
  /** The most channels one broadcast, and publications one batch, may carry. */
  static final int MAX_ITEMS = 1000;

  private final Broker broker;
  private final Idempotency idempotency;

  PublishMethods(Broker broker, Idempotency idempotency) {
    this.broker = broker;
    this.idempotency = idempotency;
  }

  Future<Buffer> publish(byte[] body) {
    Publish publish = ServerApiCodec.publish(body);
    return once(key(publish), () -> offset(publish));
  }

  Future<Buffer> broadcast(byte[] body) {
    Broadcast broadcast = ServerApiCodec.broadcast(body, MAX_ITEMS);
    String key =
        broadcast.idempotencyKey() == null ? null : "broadcast\n" + broadcast.idempotencyKey();
    return once(
        key,
        () -> {
          List<Future<Long>> offsets = new ArrayList<>();
          for (String channel : broadcast.channels())
            offsets.add(broker.publish(channel, broadcast.data().bytes()));
          return Future.join(offsets)
              .transform(
                  ar -> {
                    JsonObject taken = new JsonObject();
                    List<String> failed = new ArrayList<>();
                    for (int i = 0; i < offsets.size(); i++) {
                      String channel = broadcast.channels().get(i);
                      if (offsets.get(i).succeeded()) taken.put(channel, offsets.get(i).result());
                      else failed.add(channel);
                    }
                    if (failed.isEmpty())
                      return Future.succeededFuture(
                          new JsonObject().put("offsets", taken).toBuffer());
                    return Future.failedFuture(
                        new ProtocolError(
                            ErrorCode.UNAVAILABLE,
                            "the cluster did not take the publication on "
                                + failed
                                + " ("
                                + offsets.get(broadcast.channels().indexOf(failed.get(0))).cause()
                                + "); it did on "
                                + taken.encode()
                                + ": retry on the channels that failed"));
                  });
        });
  }

  /**
   * Each item published in the order given (a channel's items keep their order), each answered in
   * its place: {@code {"offset":n}}, or {@code {"error":…}} for a bad or failed one alone.
   */
  Future<Buffer> batch(byte[] body) {
    List<BatchItem> items = ServerApiCodec.batch(body, MAX_ITEMS);
    List<Future<Buffer>> claims = new ArrayList<>(items.size());
    for (BatchItem item : items) {
      String key = item.publish() == null ? null : key(item.publish());
      claims.add(key == null ? Future.succeededFuture() : idempotency.claim(key));
    }
    // Every claim is answered before the first publication goes: the items go out in their order.
    return Future.join(claims)
        .transform(
            claimed -> {
              List<Future<Buffer>> replies = new ArrayList<>(items.size());
              for (int i = 0; i < items.size(); i++) {
                BatchItem item = items.get(i);
                Future<Buffer> claim = claims.get(i);
                Future<Buffer> reply;
                if (item.error() != null) reply = Future.failedFuture(item.error());
                else if (claim.failed()) reply = claim;
                else if (claim.result() != null) reply = claim;
                else reply = settled(key(item.publish()), offset(item.publish()));
                replies.add(reply.recover(e -> Future.succeededFuture(errorReply(e))));
              }
              return Future.join(replies).map(v -> replies(replies));
            });
  }

  private static Buffer replies(List<Future<Buffer>> replies) {
    Buffer out = Buffer.buffer(16 + 24 * replies.size()).appendString("{\"replies\":[");
    for (int i = 0; i < replies.size(); i++) {
      if (i > 0) out.appendByte((byte) ',');
      out.appendBuffer(replies.get(i).result());
    }
    return out.appendString("]}");
  }

  private static Buffer errorReply(Throwable e) {
    ProtocolError error = failure(e);
    return new JsonObject()
        .put("error", ProtocolCodec.errorBody(error.code().wire(), error.getMessage()))
        .toBuffer();
  }

  private static String key(Publish publish) {
    return publish.idempotencyKey() == null
        ? null
        : "publish\n" + publish.channel() + "\n" + publish.idempotencyKey();
  }

  private Future<Buffer> offset(Publish publish) {
    return broker
        .publish(publish.channel(), publish.data().bytes())
        .map(offset -> new JsonObject().put("offset", offset).toBuffer())
        .recover(e -> Future.failedFuture(failure(e)));
  }

  /** Runs {@code action} unless {@code key} (null: none) was used within the window. */
  private Future<Buffer> once(String key, Supplier<Future<Buffer>> action) {
    if (key == null) return action.get();
    return idempotency
        .claim(key)
        .compose(
            earlier ->
                earlier != null ? Future.succeededFuture(earlier) : settled(key, action.get()));
  }

  /** Keeps the reply for repeats of {@code key} (null: none), or frees the key if it failed. */
  private Future<Buffer> settled(String key, Future<Buffer> reply) {
    if (key == null) return reply;
    return reply.transform(
        ar -> {
          if (ar.failed()) {
            idempotency.abandon(key);
            return Future.failedFuture(ar.cause());
          }
          return idempotency.settle(key, ar.result()).map(ar.result());
        });
  }

  static ProtocolError failure(Throwable e) {
    return e instanceof ProtocolError error
        ? error
        : new ProtocolError(
            ErrorCode.UNAVAILABLE,
            "the cluster did not take the publication (" + e.getMessage() + "); retry");
  }
}
