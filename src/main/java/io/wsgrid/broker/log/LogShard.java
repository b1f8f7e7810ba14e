package io.wsgrid.broker.log;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The channels of one shard of the publication log: pure state, no I/O, the same code under every
 * {@link PublicationLog}. Every change is a function of the shard and of what the caller passed in
 * (its clock reading, its epoch seed), so each copy of a shard that applies the same batches in the
 * same order holds the same state. Not thread-safe: one thread at a time.
 */
public final class LogShard {
  /** While a channel without history is followed, it keeps this many recent publications to fill ordering gaps. */
  public static final int ORDERING_WINDOW = 64;
  /** ... for at most this long. */
  public static final int ORDERING_TTL_SECONDS = 30;

  final Map<String, ChannelLog> channels = new HashMap<>();
  /** Each caller's last reply, returned again when the same batch is retried. */
  final Map<String, ShardReply> lastReplies = new HashMap<>();

  /** Applies a batch (once: a retried batch gets the first reply again). */
  public ShardReply apply(ShardBatch batch) {
    ShardReply last = lastReplies.get(batch.caller());
    if (last != null && last.seq() == batch.seq()) return last;
    List<ShardRequest> requests = batch.requests();
    int n = requests.size();
    long[] offsets = new long[n];
    long[] epochs = new long[n];
    String[][] followers = new String[n][];
    for (int i = 0; i < n; i++) {
      ShardRequest request = requests.get(i);
      ChannelLog channel = channels.get(request.channel());
      if (channel == null) {
        if (request.kind() == ShardRequest.Kind.UNFOLLOW) {
          offsets[i] = -1;
          continue;
        }
        channel = new ChannelLog(epoch(batch.epochSeed(), i), batch.now());
        channels.put(request.channel(), channel);
      }
      switch (request.kind()) {
        case APPEND -> {
          int keep = request.historySize() > 0 ? request.historySize() : channel.isFollowed() ? ORDERING_WINDOW : 0;
          int ttl = request.historySize() > 0 ? request.historyTtlSeconds() : ORDERING_TTL_SECONDS;
          offsets[i] = channel.append(request.data(), request.acceptedAtMicros(), batch.now(), keep, ttl, request.historySize() > 0);
          followers[i] = channel.followers;
        }
        case FOLLOW -> {
          channel.follow(batch.caller());
          channel.touchedAt = batch.now();
          offsets[i] = channel.tail;
        }
        case UNFOLLOW -> {
          channel.unfollow(batch.caller());
          channel.touchedAt = batch.now();
          // Nobody left to fill a gap for: a channel without history lets its window go.
          if (!channel.isFollowed() && !channel.history) channel.resize(0);
          offsets[i] = channel.tail;
        }
      }
      epochs[i] = channel.epoch;
    }
    ShardReply reply = new ShardReply(batch.seq(), offsets, epochs, followers);
    lastReplies.put(batch.caller(), reply);
    return reply;
  }

  /**
   * Drops what has expired at {@code now}: publications past their channel's TTL, followers that
   * are not in {@code live} (null: keep all), and every channel that nobody follows, that kept
   * nothing and that saw no append, follow or unfollow for {@code idleMillis}. Returns how many
   * channels went.
   */
  public int expire(long now, long idleMillis, Set<String> live) {
    int removed = 0;
    for (Iterator<ChannelLog> it = channels.values().iterator(); it.hasNext(); ) {
      ChannelLog channel = it.next();
      if (live != null && channel.isFollowed()) {
        for (String follower : channel.followers) {
          if (!live.contains(follower)) channel.unfollow(follower);
        }
      }
      boolean keeps = channel.kept() > 0 && channel.trim(now);
      if (!keeps && !channel.isFollowed() && now - channel.touchedAt >= idleMillis) {
        it.remove();
        removed++;
      }
    }
    if (live != null) lastReplies.keySet().retainAll(live);
    return removed;
  }

  /** Publications of {@code channel} from offset {@code from}, at most {@code max}. */
  public LogSlice read(String channel, long from, int max) {
    ChannelLog log = channels.get(channel);
    if (log == null) return null;
    return new LogSlice(log.epoch, log.first(), log.tail, log.read(from, max));
  }

  /** Where each of {@code names} stands; channels this shard does not hold are left out. */
  public Map<String, Position> positions(Collection<String> names) {
    Map<String, Position> out = new HashMap<>();
    for (String name : names) {
      ChannelLog log = channels.get(name);
      if (log != null) out.put(name, new Position(log.epoch, log.tail));
    }
    return out;
  }

  public int size() {
    return channels.size();
  }

  /** The names of the channels held, for diagnostics and tests. */
  public List<String> names() {
    return new ArrayList<>(channels.keySet());
  }

  /** A new channel's epoch: derived from the batch's seed, never 0 (0 means "no epoch"). */
  static long epoch(long seed, int index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return z == 0 ? 1 : z;
  }

  /** How an epoch reads on the wire. */
  public static String epochName(long epoch) {
    return "e" + Long.toHexString(epoch);
  }
}
