package io.wsgrid.broker.log;

/** Which shard a channel belongs to: a hash of its name, the same on every member and every run. */
final class ShardKeys {
  private ShardKeys() {}

  static int shardOf(String channel, int shards) {
    // String.hashCode is specified by the JLS, so every JVM agrees; mixed so that names differing
    // only in their last characters spread.
    int h = channel.hashCode();
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return Math.floorMod(h, shards);
  }
}
