package io.wsgrid.broker;

import io.vertx.core.Future;

/**
 * Carries publications from the node that accepts them to every node with subscribers of the
 * channel.
 *
 * <p>Contract: a publication crosses the cluster at most once per node that has listeners of its
 * channel, never once per subscriber; it is encoded to its outgoing frame once. The listeners of
 * one node receive one publisher's publications of a channel in the order they were published.
 * {@link #join} and {@link #leave} are reference-counted per node: the first join of a channel on
 * a node starts its cluster subscription, the last leave ends it. Methods may be called from any
 * event loop.
 */
public interface Broker {

  /**
   * Publishes {@code data} (a JSON value) to {@code channel}; completes with the publication's
   * offset, or -1 where the channel has no offset numbering, once the cluster has accepted it.
   */
  Future<Long> publish(String channel, Object data);

  /**
   * Starts delivering {@code channel} to the listener; completes, on the listener's context, once
   * publications made after it reach the listener.
   */
  Future<Void> join(String channel, ChannelListener listener);

  /** Stops delivering {@code channel} to the listener. */
  void leave(String channel, ChannelListener listener);

  /** How many channels this node holds a cluster subscription for. */
  int subscribedChannels();
}
