package io.wsgrid.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fan-out over the clustered event bus: one address per node ({@value #PREFIX}{@code <id>}), so
 * a node registers one consumer for its whole life however many channels it follows (a consumer per
 * channel would make every first subscribe a cluster-wide registry write and leave a cached route
 * per channel ever published to). A message is {@code count, then per delivery: channel, epoch,
 * offset, acceptedAt, frame}; the frames a node receives are slices of the message, written to its
 * sockets without a copy.
 */
public final class EventBusFanout implements Fanout {
  public static final String PREFIX = "wsgrid.fanout.";

  private final Vertx vertx;
  private final EventBus eventBus;
  private final String self;
  private volatile Context context;
  private volatile Handler<List<Delivery>> handler;
  private volatile MessageConsumer<Buffer> consumer;

  public EventBusFanout(Vertx vertx, String self) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.self = self;
  }

  @Override
  public Future<Void> start(Context context, Handler<List<Delivery>> handler) {
    this.context = context;
    this.handler = handler;
    return register();
  }

  private Future<Void> register() {
    Promise<Void> registered = Promise.promise();
    context.runOnContext(
        v -> {
          MessageConsumer<Buffer> old = consumer;
          if (old != null) old.unregister();
          consumer =
              eventBus.<Buffer>consumer(
                  PREFIX + self, message -> handler.handle(decode(message.body())));
          consumer.completion().onComplete(registered);
        });
    return registered.future();
  }

  /**
   * Reads this node's registration for its address from the cluster (the map other nodes route by);
   * registers the consumer again when the cluster lost it or the consumer went away.
   */
  @Override
  public Future<Boolean> verify() {
    MessageConsumer<Buffer> current = consumer;
    ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
    if (cluster == null) {
      return current != null && current.isRegistered()
          ? Future.succeededFuture(true)
          : register().map(false);
    }
    Promise<List<RegistrationInfo>> registrations = Promise.promise();
    cluster.getRegistrations(PREFIX + self, registrations);
    String nodeId = cluster.getNodeId();
    return registrations
        .future()
        .compose(
            found -> {
              boolean reachable =
                  current != null
                      && current.isRegistered()
                      && found.stream().anyMatch(r -> nodeId.equals(r.nodeId()));
              return reachable ? Future.succeededFuture(true) : register().map(false);
            });
  }

  @Override
  public void send(String node, List<Delivery> deliveries) {
    eventBus.send(PREFIX + node, encode(deliveries));
  }

  static Buffer encode(List<Delivery> deliveries) {
    int size = 4;
    for (Delivery d : deliveries) size += 2 + d.channel().length() + 24 + 4 + d.frame().length();
    Buffer out = Buffer.buffer(size).appendInt(deliveries.size());
    for (Delivery d : deliveries) {
      byte[] channel = d.channel().getBytes(StandardCharsets.UTF_8);
      out.appendShort((short) channel.length)
          .appendBytes(channel)
          .appendLong(d.epoch())
          .appendLong(d.offset())
          .appendLong(d.acceptedAtMicros())
          .appendInt(d.frame().length())
          .appendBuffer(d.frame());
    }
    return out;
  }

  static List<Delivery> decode(Buffer in) {
    int count = in.getInt(0);
    List<Delivery> out = new ArrayList<>(count);
    int at = 4;
    for (int i = 0; i < count; i++) {
      int length = in.getShort(at);
      String channel = in.getString(at + 2, at + 2 + length, "UTF-8");
      at += 2 + length;
      long epoch = in.getLong(at);
      long offset = in.getLong(at + 8);
      long acceptedAt = in.getLong(at + 16);
      int frameLength = in.getInt(at + 24);
      at += 28;
      out.add(new Delivery(channel, epoch, offset, acceptedAt, in.slice(at, at + frameLength)));
      at += frameLength;
    }
    return out;
  }
}
