package io.wsgrid.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.wsgrid.metrics.NodeMetrics;
import io.wsgrid.protocol.ProtocolCodec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Broker} over the clustered event bus: one address per channel, one consumer per channel
 * per node. The message body is the publication's acceptance time (8 bytes, epoch microseconds)
 * followed by its encoded frame, so receivers write it to sockets as it came.
 */
public final class EventBusBroker implements Broker {
  static final String ADDRESS_PREFIX = "wsgrid.ch.";

  private final EventBus eventBus;
  private final Map<String, ChannelSubscription> channels = new HashMap<>();

  public EventBusBroker(Vertx vertx) {
    this.eventBus = vertx.eventBus();
  }

  public static String address(String channel) {
    return ADDRESS_PREFIX + channel;
  }

  @Override
  public Future<Long> publish(String channel, Object data) {
    Buffer frame = ProtocolCodec.publication(channel, -1, data);
    Buffer envelope = Buffer.buffer(8 + frame.length()).appendLong(NodeMetrics.nowMicros()).appendBuffer(frame);
    eventBus.publish(address(channel), envelope);
    return Future.succeededFuture(-1L);
  }

  @Override
  public Future<Void> join(String channel, ChannelListener listener) {
    synchronized (channels) {
      ChannelSubscription subscription = channels.get(channel);
      if (subscription == null) {
        subscription = new ChannelSubscription(channel);
        channels.put(channel, subscription);
      }
      subscription.listeners.add(listener);
      Promise<Void> joined = Promise.promise();
      Context context = listener.context();
      subscription.registered.onComplete(ar -> context.runOnContext(v -> joined.handle(ar)));
      return joined.future();
    }
  }

  @Override
  public void leave(String channel, ChannelListener listener) {
    synchronized (channels) {
      ChannelSubscription subscription = channels.get(channel);
      if (subscription == null || !subscription.listeners.remove(listener)) return;
      if (subscription.listeners.isEmpty()) {
        channels.remove(channel);
        subscription.consumer.unregister();
      }
    }
  }

  @Override
  public int subscribedChannels() {
    synchronized (channels) {
      return channels.size();
    }
  }

  private final class ChannelSubscription {
    final List<ChannelListener> listeners = new CopyOnWriteArrayList<>();
    final MessageConsumer<Buffer> consumer;
    final Future<Void> registered;

    ChannelSubscription(String channel) {
      consumer = eventBus.consumer(address(channel));
      consumer.handler(message -> dispatch(channel, message.body()));
      registered = consumer.completion();
    }

    void dispatch(String channel, Buffer envelope) {
      long acceptedAt = envelope.getLong(0);
      Buffer frame = envelope.slice(8, envelope.length());
      Context current = Vertx.currentContext();
      for (ChannelListener listener : listeners) {
        Context target = listener.context();
        if (target == current) {
          listener.deliver(channel, frame, acceptedAt);
        } else {
          target.runOnContext(v -> listener.deliver(channel, frame, acceptedAt));
        }
      }
    }
  }
}
