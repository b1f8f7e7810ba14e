package io.wsgrid.broker.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * How Hazelcast merges a shard of the log when a split cluster heals: channel by channel ({@link
 * LogShard#merge}), instead of keeping one side's whole shard and dropping what the other side's
 * publishers were told was published.
 */
public final class LogMergePolicy
    implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {
  @Override
  public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
    if (existing == null) return merging.getRawValue();
    Object theirs = merging.getDeserializedValue();
    Object ours = existing.getDeserializedValue();
    if (!(theirs instanceof LogShard other)) return existing.getRawValue();
    if (!(ours instanceof LogShard mine)) return merging.getRawValue();
    return LogShard.merge(mine, other);
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
