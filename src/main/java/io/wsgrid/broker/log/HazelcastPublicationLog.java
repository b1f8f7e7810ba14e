package io.wsgrid.broker.log;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.proxy.MapProxyImpl;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The publication log on Hazelcast: one entry of the map {@value #MAP} per shard, each holding that
 * shard's {@link LogShard} as a live object ({@code OBJECT} in-memory format), changed in place by
 * entry processors on the partition that owns it, with one synchronous backup on another member. So
 * a batch of publications to any number of the shard's channels is one partition operation and one
 * backup, and no channel has a Hazelcast object of its own. Hazelcast moves a shard's entry when
 * members join and promotes its backup when its owner dies.
 */
public final class HazelcastPublicationLog implements PublicationLog {
  public static final String MAP = "wsgrid.log";

  /** Member attribute naming the follower id of the node (see {@link #liveFollowers}). */
  public static final String FOLLOWER_ATTRIBUTE = "wsgrid.follower";

  /**
   * Shards of the log, the same on every member. Few, so that a node's publications of one
   * event-loop turn to many channels share few operations; each shard still runs on its own
   * partition, spread over the members.
   */
  public static final int SHARDS = 8;

  private final HazelcastInstance hazelcast;
  private final IMap<String, LogShard> map;
  private final SerializationService serialization;
  private final String[] keys = new String[SHARDS];
  private final Clock clock;
  private final long idleMillis;
  private final AtomicLong channels = new AtomicLong();

  public HazelcastPublicationLog(HazelcastInstance hazelcast, Clock clock, long idleMillis) {
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(MAP);
    this.serialization = ((SerializationServiceSupport) hazelcast).getSerializationService();
    this.clock = clock;
    this.idleMillis = idleMillis;
    for (int i = 0; i < SHARDS; i++) keys[i] = MAP + "." + i;
  }

  /** What every member's config needs for the log: the map's settings and the serializers. */
  public static void configure(Config config) {
    config.addMapConfig(
        new MapConfig(MAP)
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            .setStatisticsEnabled(false)
            .setPerEntryStatsEnabled(false)
            .setMergePolicyConfig(
                new MergePolicyConfig(
                    LogMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE)));
    LogSerializers.register(config);
  }

  @Override
  public int shards() {
    return SHARDS;
  }

  @Override
  public int shardOf(String channel) {
    return ShardKeys.shardOf(channel, SHARDS);
  }

  @Override
  public CompletionStage<ShardReply> apply(int shard, ShardBatch batch) {
    return submit(keys[shard], new ShardProcessors.Apply(batch));
  }

  @Override
  public CompletionStage<LogSlice> read(String channel, long from, int max) {
    return submit(keys[shardOf(channel)], new ShardProcessors.Read(channel, from, max));
  }

  @Override
  public CompletionStage<Map<String, Position>> positions(int shard, Collection<String> names) {
    return submit(keys[shard], new ShardProcessors.Locate(new ArrayList<>(names)))
        .thenApply(LogSerializers.Positions::byChannel);
  }

  /**
   * Runs {@code processor} on the entry {@code key}; the future completes on the thread that got
   * the answer (the partition thread, for an entry of this member). {@code IMap.submitToKey} would
   * hand every answer to a common-pool thread first, to deserialize it: a wake-up per operation for
   * nothing, so the proxy's own invocation is used where the map is a member-side proxy.
   */
  private <R> CompletionStage<R> submit(String key, EntryProcessor<String, LogShard, R> processor) {
    if (!(map instanceof MapProxyImpl<String, LogShard> proxy))
      return map.submitToKey(key, processor);
    CompletableFuture<R> result = new CompletableFuture<>();
    proxy
        .executeOnKeyInternal(key, processor)
        .whenCompleteAsync(
            (data, failure) -> {
              if (failure != null) {
                result.completeExceptionally(failure);
                return;
              }
              R value;
              try {
                value = serialization.toObject(data);
              } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
              }
              result.complete(value);
            },
            Runnable::run);
    return result;
  }

  /**
   * Sweeps the shards whose entry this member owns, with this member's clock, dropping followers
   * that are no longer members; the counts it returns feed {@link #channels()}.
   */
  @Override
  public CompletionStage<Integer> expire() {
    long now = clock.millis();
    Set<String> live = liveFollowers();
    List<CompletableFuture<int[]>> sweeps = new ArrayList<>();
    for (String key : keys) {
      Member owner = hazelcast.getPartitionService().getPartition(key).getOwner();
      if (owner == null || !owner.localMember()) continue;
      sweeps.add(
          map.submitToKey(key, new ShardProcessors.Expire(now, idleMillis, live))
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(sweeps.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              int removed = 0;
              long left = 0;
              for (CompletableFuture<int[]> sweep : sweeps) {
                removed += sweep.join()[0];
                left += sweep.join()[1];
              }
              channels.set(left);
              return removed;
            });
  }

  /** The follower ids of the current members (each node sets its own as a member attribute). */
  private Set<String> liveFollowers() {
    Set<String> live = new HashSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      String id = member.getAttribute(FOLLOWER_ATTRIBUTE);
      if (id != null) live.add(id);
    }
    return live;
  }

  /**
   * Hazelcast reports a partition of the map whose every copy died (its members left before it was
   * copied again).
   */
  @Override
  public void onLoss(Runnable action) {
    map.addPartitionLostListener(event -> action.run());
  }

  @Override
  public long channels() {
    return channels.get();
  }

  @Override
  public void close() {}
}
