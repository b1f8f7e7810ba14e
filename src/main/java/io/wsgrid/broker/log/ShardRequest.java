package io.wsgrid.broker.log;

/**
 * One change a node asks of a channel's shard: append a publication (with how much history the
 * channel keeps), or start or stop following the channel.
 */
public record ShardRequest(
    Kind kind,
    String channel,
    byte[] data,
    long acceptedAtMicros,
    int historySize,
    int historyTtlSeconds) {
  /** What the request does. */
  public enum Kind {
    APPEND,
    FOLLOW,
    UNFOLLOW
  }

  public static ShardRequest append(
      String channel, byte[] data, long acceptedAtMicros, int historySize, int historyTtlSeconds) {
    return new ShardRequest(
        Kind.APPEND, channel, data, acceptedAtMicros, historySize, historyTtlSeconds);
  }

  public static ShardRequest follow(String channel) {
    return new ShardRequest(Kind.FOLLOW, channel, null, 0, 0, 0);
  }

  public static ShardRequest unfollow(String channel) {
    return new ShardRequest(Kind.UNFOLLOW, channel, null, 0, 0, 0);
  }
}
