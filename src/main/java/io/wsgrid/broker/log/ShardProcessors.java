package io.wsgrid.broker.log;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The entry processors that run {@link LogShard}'s functions on a shard's entry, on the member that
 * owns it. The mutating ones run again on the backup copy (their inputs carry the caller's clock
 * and seed, so both copies end the same); the reading ones run on the owner only.
 */
final class ShardProcessors {
  private static final int BASE = 0x7767_0100;

  private ShardProcessors() {}

  /** The processors' serializers, by type (registered by {@link LogSerializers#register}). */
  static Map<Class<?>, StreamSerializer<?>> serializers() {
    return Map.of(
        Apply.class,
        new ApplySerializer(),
        Expire.class,
        new ExpireSerializer(),
        Read.class,
        new ReadSerializer(),
        Locate.class,
        new LocateSerializer());
  }

  private static LogShard shardOf(Map.Entry<String, LogShard> entry) {
    LogShard shard = entry.getValue();
    return shard == null ? new LogShard() : shard;
  }

  /** Applies a batch of appends, follows and unfollows. */
  record Apply(ShardBatch batch) implements EntryProcessor<String, LogShard, ShardReply> {
    @Override
    public ShardReply process(Map.Entry<String, LogShard> entry) {
      LogShard shard = shardOf(entry);
      ShardReply reply = shard.apply(batch);
      entry.setValue(shard);
      return reply;
    }
  }

  /** One expiry sweep; completes with {channels removed, channels left}. */
  record Expire(long now, long idleMillis, Set<String> live)
      implements EntryProcessor<String, LogShard, int[]> {
    @Override
    public int[] process(Map.Entry<String, LogShard> entry) {
      LogShard shard = entry.getValue();
      if (shard == null) return new int[2];
      int removed = shard.expire(now, idleMillis, live);
      entry.setValue(shard);
      return new int[] {removed, shard.size()};
    }
  }

  /** Reads part of one channel's log. */
  record Read(String channel, long from, int max)
      implements EntryProcessor<String, LogShard, LogSlice>, ReadOnly {
    @Override
    public LogSlice process(Map.Entry<String, LogShard> entry) {
      LogShard shard = entry.getValue();
      return shard == null ? null : shard.read(channel, from, max);
    }

    @Override
    public EntryProcessor<String, LogShard, LogSlice> getBackupProcessor() {
      return null;
    }
  }

  /** Where some channels of the shard stand. */
  record Locate(List<String> channels)
      implements EntryProcessor<String, LogShard, LogSerializers.Positions>, ReadOnly {
    @Override
    public LogSerializers.Positions process(Map.Entry<String, LogShard> entry) {
      LogShard shard = entry.getValue();
      return new LogSerializers.Positions(shard == null ? Map.of() : shard.positions(channels));
    }

    @Override
    public EntryProcessor<String, LogShard, LogSerializers.Positions> getBackupProcessor() {
      return null;
    }
  }

  static final class ApplySerializer implements StreamSerializer<Apply> {
    private final LogSerializers.BatchSerializer batches = new LogSerializers.BatchSerializer();

    @Override
    public int getTypeId() {
      return BASE + 1;
    }

    @Override
    public void write(ObjectDataOutput out, Apply apply) throws IOException {
      batches.write(out, apply.batch());
    }

    @Override
    public Apply read(ObjectDataInput in) throws IOException {
      return new Apply(batches.read(in));
    }
  }

  static final class ExpireSerializer implements StreamSerializer<Expire> {
    @Override
    public int getTypeId() {
      return BASE + 2;
    }

    @Override
    public void write(ObjectDataOutput out, Expire expire) throws IOException {
      out.writeLong(expire.now());
      out.writeLong(expire.idleMillis());
      out.writeInt(expire.live() == null ? -1 : expire.live().size());
      if (expire.live() != null) {
        for (String s : expire.live()) out.writeString(s);
      }
    }

    @Override
    public Expire read(ObjectDataInput in) throws IOException {
      long now = in.readLong();
      long idle = in.readLong();
      int n = in.readInt();
      Set<String> live = n < 0 ? null : new HashSet<>();
      for (int i = 0; i < n; i++) live.add(in.readString());
      return new Expire(now, idle, live);
    }
  }

  static final class ReadSerializer implements StreamSerializer<Read> {
    @Override
    public int getTypeId() {
      return BASE + 3;
    }

    @Override
    public void write(ObjectDataOutput out, Read read) throws IOException {
      out.writeString(read.channel());
      out.writeLong(read.from());
      out.writeInt(read.max());
    }

    @Override
    public Read read(ObjectDataInput in) throws IOException {
      return new Read(in.readString(), in.readLong(), in.readInt());
    }
  }

  static final class LocateSerializer implements StreamSerializer<Locate> {
    @Override
    public int getTypeId() {
      return BASE + 4;
    }

    @Override
    public void write(ObjectDataOutput out, Locate locate) throws IOException {
      out.writeInt(locate.channels().size());
      for (String s : locate.channels()) out.writeString(s);
    }

    @Override
    public Locate read(ObjectDataInput in) throws IOException {
      int n = in.readInt();
      List<String> channels = new ArrayList<>(n);
      for (int i = 0; i < n; i++) channels.add(in.readString());
      return new Locate(channels);
    }
  }
}
