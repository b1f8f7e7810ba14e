package io.wsgrid.broker;

import io.vertx.core.Future;
import io.wsgrid.protocol.StreamPosition;
import java.util.List;

/**
 * Carries publications from the node that accepts them to every node with subscribers of the
 * channel, in one order per channel.
 *
 * <p>Contract: every publication of a channel gets an offset, one more than the previous one, from
 * one place per channel, so publishers on different nodes cannot reorder a channel; every listener
 * receives a channel's publications in offset order. A publication crosses the cluster at most
 * once per node that has listeners of its channel, never once per subscriber, and is encoded to
 * its outgoing frame once. {@link #join} and {@link #leave} are reference-counted per node: the
 * first join of a channel on a node starts its cluster subscription, the last leave ends it.
 * Methods may be called from any event loop and never block it.
 */
public interface Broker {

  /** Publishes {@code data} (a JSON value); completes with its offset once the cluster holds it. */
  Future<Long> publish(String channel, Object data);

  /**
   * Starts delivering {@code channel} to the listener; completes, on the listener's context, once
   * every publication with an offset above {@link #position}'s at that moment reaches it.
   */
  Future<Void> join(String channel, ChannelListener listener);

  /** Stops delivering {@code channel} to the listener. */
  void leave(String channel, ChannelListener listener);

  /** The channel's epoch and its latest offset (-1 before the first publication). */
  Future<StreamPosition> position(String channel);

  /**
   * Publications {@code from} to {@code to} (inclusive) in offset order; fails with
   * {@link HistoryUnavailable} when history no longer reaches back to {@code from}.
   */
  Future<List<Publication>> history(String channel, long from, long to);

  /** The channel's history settings. */
  ChannelPolicies.Policy policy(String channel);

  /** How many channels this node holds a cluster subscription for. */
  int subscribedChannels();
}
