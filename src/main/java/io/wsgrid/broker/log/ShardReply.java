package io.wsgrid.broker.log;

/**
 * What a shard answered a batch, one slot per request: the offset assigned (append) or the
 * channel's last offset (follow, unfollow), the channel's epoch, and for an append the nodes that
 * follow the channel (the arrays are shared and never changed).
 */
public record ShardReply(long seq, long[] offsets, long[] epochs, String[][] followers) {}
