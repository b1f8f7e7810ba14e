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
  /**
   * While a channel without history is followed, it keeps this many recent publications to fill
   * ordering gaps.
   */
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
          int keep =
              request.historySize() > 0
                  ? request.historySize()
                  : channel.isFollowed() ? ORDERING_WINDOW : 0;
          int ttl = request.historySize() > 0 ? request.historyTtlSeconds() : ORDERING_TTL_SECONDS;
          offsets[i] =
              channel.append(
                  request.data(),
                  request.acceptedAtMicros(),
                  batch.now(),
                  keep,
                  ttl,
                  request.historySize() > 0);
          channel.mark = epoch(batch.epochSeed() ^ 0x5DEECE66DL, i);
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

  /**
   * The shard after a split cluster healed: {@code ours} is this side's copy, {@code theirs} the
   * copy the other side kept meanwhile. A channel only one side knows is kept; one both sides hold
   * is kept as it is where they agree, and as the longer copy where the other is a prefix of it
   * (the publication at the shorter copy's last offset is the same on both). Otherwise both sides
   * gave out offsets under the same epoch: the channel continues under a new epoch (after the
   * higher of the two last offsets, without history), so no client can be told it recovered over a
   * hole. Followers and replies of both sides are kept. Deterministic: every member that merges the
   * same two copies gets the same shard. Neither argument is changed.
   */
  public static LogShard merge(LogShard ours, LogShard theirs) {
    LogShard merged = new LogShard();
    ours.channels.forEach((name, channel) -> merged.channels.put(name, copy(channel)));
    for (Map.Entry<String, ChannelLog> e : theirs.channels.entrySet()) {
      ChannelLog mine = merged.channels.get(e.getKey());
      merged.channels.put(
          e.getKey(), mine == null ? copy(e.getValue()) : reconcile(mine, e.getValue()));
    }
    merged.lastReplies.putAll(ours.lastReplies);
    theirs.lastReplies.forEach(
        (caller, reply) ->
            merged.lastReplies.merge(caller, reply, (a, b) -> a.seq() >= b.seq() ? a : b));
    return merged;
  }

  private static ChannelLog reconcile(ChannelLog a, ChannelLog b) {
    ChannelLog kept;
    // A copy with no publication at all (a side that only followed the channel, or made its state
    // anew after losing it) adds nothing but its followers.
    if (b.tail < 0) kept = a;
    else if (a.tail < 0) kept = b;
    else if (a.epoch == b.epoch && a.tail == b.tail && a.mark == b.mark) kept = a;
    else if (a.epoch == b.epoch && a.tail < b.tail && isPrefix(a, b)) kept = b;
    else if (a.epoch == b.epoch && b.tail < a.tail && isPrefix(b, a)) kept = a;
    else {
      kept =
          new ChannelLog(
              epoch(
                  a.epoch ^ Long.rotateLeft(b.epoch, 17) ^ a.mark ^ b.mark,
                  (int) (a.tail ^ b.tail)),
              0);
      kept.tail = Math.max(a.tail, b.tail);
      kept.mark = epoch(kept.epoch, 1);
    }
    ChannelLog merged = kept == b ? copy(b) : kept;
    merged.touchedAt = Math.max(a.touchedAt, b.touchedAt);
    for (String f : a.followers) merged.follow(f);
    for (String f : b.followers) merged.follow(f);
    return merged;
  }

  /**
   * True when {@code shorter}'s last publication is, at the same offset, one {@code longer} kept.
   */
  private static boolean isPrefix(ChannelLog shorter, ChannelLog longer) {
    if (shorter.tail < 0) return true;
    LogEntry last = shorter.entry(shorter.tail);
    LogEntry same = longer.entry(shorter.tail);
    return last != null
        && same != null
        && last.acceptedAtMicros() == same.acceptedAtMicros()
        && java.util.Arrays.equals(last.data(), same.data());
  }

  private static ChannelLog copy(ChannelLog c) {
    ChannelLog out = new ChannelLog(c.epoch, c.touchedAt);
    out.tail = c.tail;
    out.mark = c.mark;
    out.ttlSeconds = c.ttlSeconds;
    out.history = c.history;
    out.followers = c.followers;
    for (int i = 0; i < c.kept(); i++)
      out.restore(c.keptData(i), c.keptAcceptedAt(i), c.keptAppendedAt(i));
    out.resize(c.capacity);
    return out;
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
