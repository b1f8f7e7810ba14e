package io.wsgrid.broker;

import io.vertx.core.Future;
import io.wsgrid.protocol.StreamPosition;
import java.util.List;

/**
 * Carries publications from the node that accepts them to every node with subscribers of the
 * channel, in one order per channel.
 *
 * <p>Contract: every publication of a channel gets an offset, one more than the previous one, from
 * one place per channel, so publishers on different nodes cannot reorder a channel; one caller's
 * publications keep the order it published them in, and each caller's futures complete in that
 * order per channel; every listener receives a channel's publications in offset order, with no
 * repeat. A publication crosses the cluster at most once per node that has listeners of its
 * channel, never once per subscriber, and is encoded to its outgoing frame once. {@link #join} and
 * {@link #leave} are reference-counted per node: the first join of a channel on a node makes the
 * node follow it, the last leave ends that. Methods may be called from any event loop and never
 * block it.
 */
public interface Broker {

  /**
   * Publishes {@code data} (one JSON value, exactly as published); completes with its offset once
   * the cluster holds it.
   */
  Future<Long> publish(String channel, byte[] data);

  /**
   * Starts delivering {@code channel} to the listener; completes, on the listener's context, once
   * every publication with an offset above {@link #position}'s at that moment reaches it.
   */
  Future<Void> join(String channel, ChannelListener listener);

  /** Stops delivering {@code channel} to the listener. */
  void leave(String channel, ChannelListener listener);

  /**
   * The channel's epoch and the last offset this node delivered of it (or the log's, if the node
   * does not follow it; -1 before the first).
   */
  Future<StreamPosition> position(String channel);

  /**
   * Publications {@code from} to {@code to} (inclusive) in offset order; fails with {@link
   * HistoryUnavailable} when history no longer reaches back to {@code from}.
   */
  Future<List<Publication>> history(String channel, long from, long to);

  /**
   * The offset of the oldest publication the channel's history still keeps: one above its last
   * offset when it keeps none, 0 when the cluster holds nothing of the channel.
   */
  Future<Long> oldest(String channel);

  /** The channel's history settings. */
  ChannelPolicies.Policy policy(String channel);

  /** How many channels this node follows. */
  int subscribedChannels();
}
