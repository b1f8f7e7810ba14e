package io.wsgrid.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fan-out over the clustered event bus: one address per node ({@value #PREFIX}{@code <id>}),
 * so a node registers one consumer for its whole life however many channels it follows (a
 * consumer per channel would make every first subscribe a cluster-wide registry write and leave a
 * cached route per channel ever published to). A message is
 * {@code count, then per delivery: channel, epoch, offset, acceptedAt, frame}; the frames a node
 * receives are slices of the message, written to its sockets without a copy.
 */
public final class EventBusFanout implements Fanout {
  public static final String PREFIX = "wsgrid.fanout.";

  private final EventBus eventBus;
  private final String self;

  public EventBusFanout(EventBus eventBus, String self) {
    this.eventBus = eventBus;
    this.self = self;
  }

  @Override
  public Future<Void> start(Context context, Handler<List<Delivery>> handler) {
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> eventBus.<Buffer>consumer(PREFIX + self, message -> handler.handle(decode(message.body())))
        .completion().onComplete(started));
    return started.future();
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
      out.appendShort((short) channel.length).appendBytes(channel)
          .appendLong(d.epoch()).appendLong(d.offset()).appendLong(d.acceptedAtMicros())
          .appendInt(d.frame().length()).appendBuffer(d.frame());
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
