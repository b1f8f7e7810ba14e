package io.wsgrid.broker.log;

import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The publication log in this process's memory: the shards under a lock each, no copies. For tests
 * of what sits on top of the log, and the reference the Hazelcast log is tested against.
 */
public final class MemoryPublicationLog implements PublicationLog {
  private final LogShard[] shards;
  private final Clock clock;
  private final long idleMillis;

  public MemoryPublicationLog(int shards, Clock clock, long idleMillis) {
    this.shards = new LogShard[shards];
    for (int i = 0; i < shards; i++) this.shards[i] = new LogShard();
    this.clock = clock;
    this.idleMillis = idleMillis;
  }

  @Override
  public int shards() {
    return shards.length;
  }

  @Override
  public int shardOf(String channel) {
    return ShardKeys.shardOf(channel, shards.length);
  }

  @Override
  public CompletionStage<ShardReply> apply(int shard, ShardBatch batch) {
    LogShard s = shards[shard];
    synchronized (s) {
      return CompletableFuture.completedFuture(s.apply(batch));
    }
  }

  @Override
  public CompletionStage<LogSlice> read(String channel, long from, int max) {
    LogShard s = shards[shardOf(channel)];
    synchronized (s) {
      return CompletableFuture.completedFuture(s.read(channel, from, max));
    }
  }

  @Override
  public CompletionStage<Map<String, Position>> positions(int shard, Collection<String> channels) {
    LogShard s = shards[shard];
    synchronized (s) {
      return CompletableFuture.completedFuture(s.positions(channels));
    }
  }

  @Override
  public CompletionStage<Integer> expire() {
    long now = clock.millis();
    int removed = 0;
    for (LogShard s : shards) {
      synchronized (s) {
        removed += s.expire(now, idleMillis, null);
      }
    }
    return CompletableFuture.completedFuture(removed);
  }

  /** A log in one process loses nothing it could tell of. */
  @Override
  public void onLoss(Runnable action) {}

  @Override
  public long channels() {
    long n = 0;
    for (LogShard s : shards) {
      synchronized (s) {
        n += s.size();
      }
    }
    return n;
  }

  @Override
  public void close() {}
}
