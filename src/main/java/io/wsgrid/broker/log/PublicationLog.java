package io.wsgrid.broker.log;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The publication log of the cluster: per channel one sequence of offsets, the channel's recent
 * publications (its history), and the nodes that follow it, split into a fixed number of shards by
 * channel name. This is the seam between a node's broker and where channel state lives.
 *
 * <p>Contract: {@link #apply} is atomic per batch and applies its requests in order; batches one
 * caller sends to one shard are applied in the order the caller sent them, provided it sends the
 * next only after the previous completed, and a batch is applied at most once even when retried. An
 * append gets the offset one above the channel's previous one; a channel's epoch changes only when
 * its state is created anew (first use, after it expired, or after every copy was lost), so an
 * offset means the same publication as long as the epoch is the same. State a completed call
 * changed survives the loss of any one member. A channel nobody follows, that keeps no history and
 * saw no request for the log's idle time holds no state anywhere. Futures may complete on any
 * thread; callers must not block in their callbacks.
 */
public interface PublicationLog {

  /** How many shards the channels are spread over; the same on every member. */
  int shards();

  /** The shard of {@code channel}. */
  int shardOf(String channel);

  /** Applies {@code batch} (all of whose channels are in {@code shard}). */
  CompletionStage<ShardReply> apply(int shard, ShardBatch batch);

  /**
   * Up to {@code max} publications of {@code channel} from offset {@code from}; null when the log
   * holds nothing of it.
   */
  CompletionStage<LogSlice> read(String channel, long from, int max);

  /**
   * Where each of {@code channels} (all in {@code shard}) stands; those the log holds nothing of
   * are left out.
   */
  CompletionStage<Map<String, Position>> positions(int shard, Collection<String> channels);

  /**
   * Runs one expiry sweep now over the shards this member holds (the log also sweeps by itself);
   * completes with how many channels went.
   */
  CompletionStage<Integer> expire();

  /**
   * Calls {@code action} (on any thread) whenever the cluster lost every copy of part of the log.
   */
  void onLoss(Runnable action);

  /** How many channels the shards this member holds contain (for the gauge and tests). */
  long channels();

  /** Stops the log's own background work. */
  void close();
}
