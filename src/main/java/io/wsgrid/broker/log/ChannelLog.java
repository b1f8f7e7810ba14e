package io.wsgrid.broker.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One channel on its shard: its epoch, its last offset, the nodes that follow it, and a ring of its
 * recent publications (its history, or while it is followed the short window that lets a node fill
 * an ordering gap). Not thread-safe: its shard is changed by one thread at a time.
 */
final class ChannelLog {
  static final String[] NO_FOLLOWERS = new String[0];

  long epoch;
  long tail = -1;

  /**
   * A fingerprint of the last append (its batch and place in it): equal on two copies only if they
   * saw the same last append.
   */
  long mark;

  /** Caller's clock (ms) at the last append, follow or unfollow: what idle expiry measures from. */
  long touchedAt;

  /** Replaced, never changed in place: a reply may hold the array. */
  String[] followers = NO_FOLLOWERS;

  int capacity;
  int ttlSeconds;

  /** Whether the last append kept history (else what is kept is only the ordering window). */
  boolean history;

  private byte[][] data;
  private long[] acceptedAt;
  private long[] appendedAt;
  private int start;
  private int count;

  ChannelLog(long epoch, long touchedAt) {
    this.epoch = epoch;
    this.touchedAt = touchedAt;
  }

  /**
   * Assigns the next offset and keeps the publication as far as {@code capacity} and {@code
   * ttlSeconds} say.
   */
  long append(
      byte[] payload, long acceptedAtMicros, long now, int keep, int ttl, boolean keepsHistory) {
    tail++;
    history = keepsHistory;
    touchedAt = now;
    if (keep != capacity) resize(keep);
    ttlSeconds = ttl;
    if (capacity == 0) return tail;
    if (count == data.length && data.length < capacity) grow(Math.min(capacity, data.length * 2));
    int slot;
    if (count == data.length) {
      slot = start;
      start = (start + 1) % data.length;
    } else {
      slot = (start + count) % data.length;
      count++;
    }
    data[slot] = payload;
    acceptedAt[slot] = acceptedAtMicros;
    appendedAt[slot] = now;
    return tail;
  }

  /** The offset of the oldest publication kept ({@code tail + 1} when none is). */
  long first() {
    return tail - count + 1;
  }

  int kept() {
    return count;
  }

  /** The kept publication at {@code offset}, or null when not kept. */
  LogEntry entry(long offset) {
    if (offset < first() || offset > tail || count == 0) return null;
    int slot = (start + (int) (offset - first())) % data.length;
    return new LogEntry(offset, data[slot], acceptedAt[slot]);
  }

  /**
   * Up to {@code max} publications from offset {@code from} on, oldest first; starts later if
   * {@code from} was dropped.
   */
  List<LogEntry> read(long from, int max) {
    long begin = Math.max(from, first());
    int n = (int) Math.max(0, Math.min(max, tail - begin + 1));
    List<LogEntry> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int index = (int) (begin - first()) + i;
      int slot = (start + index) % data.length;
      out.add(new LogEntry(begin + i, data[slot], acceptedAt[slot]));
    }
    return out;
  }

  /** Drops publications older than the TTL at {@code now}; true if any is left. */
  boolean trim(long now) {
    long limit = now - ttlSeconds * 1000L;
    while (count > 0 && appendedAt[start] <= limit) {
      data[start] = null;
      start = (start + 1) % data.length;
      count--;
    }
    if (count == 0 && data != null) clear();
    return count > 0;
  }

  boolean isFollowed() {
    return followers.length > 0;
  }

  boolean follow(String node) {
    for (String f : followers) {
      if (f.equals(node)) return false;
    }
    String[] next = Arrays.copyOf(followers, followers.length + 1);
    next[followers.length] = node;
    followers = next;
    return true;
  }

  boolean unfollow(String node) {
    for (int i = 0; i < followers.length; i++) {
      if (followers[i].equals(node)) {
        String[] next = new String[followers.length - 1];
        System.arraycopy(followers, 0, next, 0, i);
        System.arraycopy(followers, i + 1, next, i, followers.length - i - 1);
        followers = next.length == 0 ? NO_FOLLOWERS : next;
        return true;
      }
    }
    return false;
  }

  /** Changes how many publications are kept, keeping the newest. */
  void resize(int keep) {
    capacity = Math.max(0, keep);
    if (capacity == 0) {
      clear();
      return;
    }
    if (data == null) {
      allocate(Math.min(capacity, 4));
      return;
    }
    while (count > capacity) {
      data[start] = null;
      start = (start + 1) % data.length;
      count--;
    }
    if (data.length > capacity) grow(capacity);
  }

  private void clear() {
    data = null;
    acceptedAt = null;
    appendedAt = null;
    start = 0;
    count = 0;
  }

  private void allocate(int size) {
    data = new byte[size][];
    acceptedAt = new long[size];
    appendedAt = new long[size];
    start = 0;
    count = 0;
  }

  private void grow(int size) {
    byte[][] d = new byte[size][];
    long[] a = new long[size];
    long[] t = new long[size];
    for (int i = 0; i < count; i++) {
      int slot = (start + i) % data.length;
      d[i] = data[slot];
      a[i] = acceptedAt[slot];
      t[i] = appendedAt[slot];
    }
    data = d;
    acceptedAt = a;
    appendedAt = t;
    start = 0;
  }

  /** Restores a kept publication in order (deserialization): the oldest first. */
  void restore(byte[] payload, long acceptedAtMicros, long appended) {
    if (data == null) allocate(4);
    else if (count == data.length) grow(count * 2);
    int slot = (start + count) % data.length;
    data[slot] = payload;
    acceptedAt[slot] = acceptedAtMicros;
    appendedAt[slot] = appended;
    count++;
  }

  /**
   * The {@code index}-th kept publication, oldest first, with both its times (for serialization).
   */
  byte[] keptData(int index) {
    return data[(start + index) % data.length];
  }

  long keptAcceptedAt(int index) {
    return acceptedAt[(start + index) % data.length];
  }

  long keptAppendedAt(int index) {
    return appendedAt[(start + index) % data.length];
  }
}
