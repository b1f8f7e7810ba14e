package io.wsgrid.broker.log;

import java.util.List;

/**
 * The requests one node sends one shard at once, applied in list order. {@code caller} is the
 * node's follower id and {@code seq} numbers its batches to that shard, so a batch retried after a
 * member failure is applied once; {@code now} (the caller's clock, ms) and {@code epochSeed} are
 * carried so that every copy of the shard applies the batch to the same result.
 */
public record ShardBatch(
    String caller, long seq, long now, long epochSeed, List<ShardRequest> requests) {}
