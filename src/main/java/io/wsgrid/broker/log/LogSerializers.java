package io.wsgrid.broker.log;

import com.hazelcast.config.Config;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the log's state and messages cross between members: compact stream serializers for the pure
 * types (shards are copied to their backup member and moved when members join or leave; batches and
 * replies travel with every request), registered in each member's config.
 */
final class LogSerializers {
  /** Hazelcast type ids of user serializers must be positive and unique in the cluster. */
  private static final int BASE = 0x7767_0000;

  private LogSerializers() {}

  /** Registers the serializers of the log's types and of its entry processors. */
  static void register(Config config) {
    Map<Class<?>, StreamSerializer<?>> serializers = new java.util.LinkedHashMap<>();
    serializers.put(LogShard.class, new ShardSerializer());
    serializers.put(ShardBatch.class, new BatchSerializer());
    serializers.put(ShardReply.class, new ReplySerializer());
    serializers.put(LogSlice.class, new SliceSerializer());
    serializers.put(Positions.class, new PositionsSerializer());
    serializers.putAll(ShardProcessors.serializers());
    serializers.forEach(
        (type, serializer) ->
            config
                .getSerializationConfig()
                .addSerializerConfig(
                    new SerializerConfig().setTypeClass(type).setImplementation(serializer)));
  }

  /** The positions a read returns, as a type of its own so it has a serializer. */
  record Positions(Map<String, Position> byChannel) {}

  static final class ShardSerializer implements StreamSerializer<LogShard> {
    @Override
    public int getTypeId() {
      return BASE + 1;
    }

    @Override
    public void write(ObjectDataOutput out, LogShard shard) throws IOException {
      out.writeInt(shard.channels.size());
      for (Map.Entry<String, ChannelLog> e : shard.channels.entrySet()) {
        ChannelLog c = e.getValue();
        out.writeString(e.getKey());
        out.writeLong(c.epoch);
        out.writeLong(c.tail);
        out.writeLong(c.mark);
        out.writeLong(c.touchedAt);
        out.writeInt(c.capacity);
        out.writeInt(c.ttlSeconds);
        out.writeBoolean(c.history);
        writeStrings(out, c.followers);
        out.writeInt(c.kept());
        for (int i = 0; i < c.kept(); i++) {
          out.writeByteArray(c.keptData(i));
          out.writeLong(c.keptAcceptedAt(i));
          out.writeLong(c.keptAppendedAt(i));
        }
      }
      out.writeInt(shard.lastReplies.size());
      for (Map.Entry<String, ShardReply> e : shard.lastReplies.entrySet()) {
        out.writeString(e.getKey());
        ReplySerializer.writeReply(out, e.getValue());
      }
    }

    @Override
    public LogShard read(ObjectDataInput in) throws IOException {
      LogShard shard = new LogShard();
      int channels = in.readInt();
      for (int n = 0; n < channels; n++) {
        String name = in.readString();
        ChannelLog c = new ChannelLog(in.readLong(), 0);
        c.tail = in.readLong();
        c.mark = in.readLong();
        c.touchedAt = in.readLong();
        int capacity = in.readInt();
        c.ttlSeconds = in.readInt();
        c.history = in.readBoolean();
        c.followers = readStrings(in);
        int kept = in.readInt();
        for (int i = 0; i < kept; i++) c.restore(in.readByteArray(), in.readLong(), in.readLong());
        c.resize(capacity);
        shard.channels.put(name, c);
      }
      int replies = in.readInt();
      for (int n = 0; n < replies; n++)
        shard.lastReplies.put(in.readString(), ReplySerializer.readReply(in));
      return shard;
    }
  }

  static final class BatchSerializer implements StreamSerializer<ShardBatch> {
    private static final ShardRequest.Kind[] KINDS = ShardRequest.Kind.values();

    @Override
    public int getTypeId() {
      return BASE + 2;
    }

    @Override
    public void write(ObjectDataOutput out, ShardBatch batch) throws IOException {
      out.writeString(batch.caller());
      out.writeLong(batch.seq());
      out.writeLong(batch.now());
      out.writeLong(batch.epochSeed());
      out.writeInt(batch.requests().size());
      for (ShardRequest r : batch.requests()) {
        out.writeByte(r.kind().ordinal());
        out.writeString(r.channel());
        if (r.kind() == ShardRequest.Kind.APPEND) {
          out.writeByteArray(r.data());
          out.writeLong(r.acceptedAtMicros());
          out.writeInt(r.historySize());
          out.writeInt(r.historyTtlSeconds());
        }
      }
    }

    @Override
    public ShardBatch read(ObjectDataInput in) throws IOException {
      String caller = in.readString();
      long seq = in.readLong();
      long now = in.readLong();
      long seed = in.readLong();
      int n = in.readInt();
      List<ShardRequest> requests = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ShardRequest.Kind kind = KINDS[in.readByte()];
        String channel = in.readString();
        requests.add(
            kind == ShardRequest.Kind.APPEND
                ? ShardRequest.append(
                    channel, in.readByteArray(), in.readLong(), in.readInt(), in.readInt())
                : new ShardRequest(kind, channel, null, 0, 0, 0));
      }
      return new ShardBatch(caller, seq, now, seed, requests);
    }
  }

  static final class ReplySerializer implements StreamSerializer<ShardReply> {
    @Override
    public int getTypeId() {
      return BASE + 3;
    }

    @Override
    public void write(ObjectDataOutput out, ShardReply reply) throws IOException {
      writeReply(out, reply);
    }

    @Override
    public ShardReply read(ObjectDataInput in) throws IOException {
      return readReply(in);
    }

    /**
     * The follower arrays are shared between the appends of one channel: each distinct one is
     * written once.
     */
    static void writeReply(ObjectDataOutput out, ShardReply reply) throws IOException {
      out.writeLong(reply.seq());
      int n = reply.offsets().length;
      out.writeInt(n);
      Map<String[], Integer> table = new IdentityHashMap<>();
      List<String[]> distinct = new ArrayList<>();
      int[] index = new int[n];
      for (int i = 0; i < n; i++) {
        String[] f = reply.followers()[i];
        if (f == null) {
          index[i] = -1;
          continue;
        }
        Integer known = table.get(f);
        if (known == null) {
          known = distinct.size();
          table.put(f, known);
          distinct.add(f);
        }
        index[i] = known;
      }
      out.writeInt(distinct.size());
      for (String[] f : distinct) writeStrings(out, f);
      for (int i = 0; i < n; i++) {
        out.writeLong(reply.offsets()[i]);
        out.writeLong(reply.epochs()[i]);
        out.writeInt(index[i]);
      }
    }

    static ShardReply readReply(ObjectDataInput in) throws IOException {
      long seq = in.readLong();
      int n = in.readInt();
      String[][] distinct = new String[in.readInt()][];
      for (int i = 0; i < distinct.length; i++) distinct[i] = readStrings(in);
      long[] offsets = new long[n];
      long[] epochs = new long[n];
      String[][] followers = new String[n][];
      for (int i = 0; i < n; i++) {
        offsets[i] = in.readLong();
        epochs[i] = in.readLong();
        int index = in.readInt();
        followers[i] = index < 0 ? null : distinct[index];
      }
      return new ShardReply(seq, offsets, epochs, followers);
    }
  }

  static final class SliceSerializer implements StreamSerializer<LogSlice> {
    @Override
    public int getTypeId() {
      return BASE + 4;
    }

    @Override
    public void write(ObjectDataOutput out, LogSlice slice) throws IOException {
      out.writeLong(slice.epoch());
      out.writeLong(slice.first());
      out.writeLong(slice.tail());
      out.writeInt(slice.entries().size());
      for (LogEntry e : slice.entries()) {
        out.writeLong(e.offset());
        out.writeByteArray(e.data());
        out.writeLong(e.acceptedAtMicros());
      }
    }

    @Override
    public LogSlice read(ObjectDataInput in) throws IOException {
      long epoch = in.readLong();
      long first = in.readLong();
      long tail = in.readLong();
      int n = in.readInt();
      List<LogEntry> entries = new ArrayList<>(n);
      for (int i = 0; i < n; i++)
        entries.add(new LogEntry(in.readLong(), in.readByteArray(), in.readLong()));
      return new LogSlice(epoch, first, tail, entries);
    }
  }

  static final class PositionsSerializer implements StreamSerializer<Positions> {
    @Override
    public int getTypeId() {
      return BASE + 5;
    }

    @Override
    public void write(ObjectDataOutput out, Positions positions) throws IOException {
      out.writeInt(positions.byChannel().size());
      for (Map.Entry<String, Position> e : positions.byChannel().entrySet()) {
        out.writeString(e.getKey());
        out.writeLong(e.getValue().epoch());
        out.writeLong(e.getValue().tail());
      }
    }

    @Override
    public Positions read(ObjectDataInput in) throws IOException {
      int n = in.readInt();
      Map<String, Position> map = new HashMap<>(n * 2);
      for (int i = 0; i < n; i++)
        map.put(in.readString(), new Position(in.readLong(), in.readLong()));
      return new Positions(map);
    }
  }

  private static void writeStrings(ObjectDataOutput out, String[] strings) throws IOException {
    out.writeInt(strings.length);
    for (String s : strings) out.writeString(s);
  }

  private static String[] readStrings(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    if (n == 0) return ChannelLog.NO_FOLLOWERS;
    String[] out = new String[n];
    for (int i = 0; i < n; i++) out[i] = in.readString();
    return out;
  }
}
