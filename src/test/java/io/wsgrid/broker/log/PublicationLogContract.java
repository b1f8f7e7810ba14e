package io.wsgrid.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsgrid.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PublicationLog} promises (see its contract), run against each implementation:
 * {@link MemoryPublicationLogTest} and {@link HazelcastPublicationLogIT}.
 */
abstract class PublicationLogContract {
  static final long IDLE_MILLIS = 60_000;
  protected final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));

  /**
   * Batch numbers are never reused by a caller (a log may outlive one test: the Hazelcast one
   * does).
   */
  private static final java.util.concurrent.atomic.AtomicLong seq =
      new java.util.concurrent.atomic.AtomicLong(1_000_000);

  /** The log under test, using {@link #clock} and {@link #IDLE_MILLIS}. */
  protected abstract PublicationLog log();

  /**
   * A follower id the log counts as a live node (a log that knows its cluster drops the others).
   */
  protected String liveFollower() {
    return "n2";
  }

  /** One expiry sweep on every member that holds shards; how many channels went. */
  protected int expire() {
    return await(log().expire());
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  ShardReply apply(String caller, ShardRequest... requests) {
    return apply(caller, seq.incrementAndGet(), requests);
  }

  ShardReply apply(String caller, long batchSeq, ShardRequest... requests) {
    int shard = log().shardOf(requests[0].channel());
    return await(
        log()
            .apply(
                shard,
                new ShardBatch(
                    caller, batchSeq, clock.millis(), batchSeq * 31, List.of(requests))));
  }

  static ShardRequest append(String channel, String data) {
    return ShardRequest.append(channel, bytes(data), 1, 0, 0);
  }

  static ShardRequest appendWithHistory(String channel, String data, int size, int ttlSeconds) {
    return ShardRequest.append(channel, bytes(data), 1, size, ttlSeconds);
  }

  @Test
  void offsetsStartAtZeroAndGrowByOnePerChannel() {
    ShardReply first = apply("n1", append("contract.a", "1"), append("contract.a", "2"));
    assertThat(first.offsets()).containsExactly(0, 1);
    assertThat(first.epochs()[0]).isNotZero().isEqualTo(first.epochs()[1]);
    ShardReply next = apply("n2", append("contract.a", "3"));
    assertThat(next.offsets()).containsExactly(2);
    assertThat(next.epochs()[0]).isEqualTo(first.epochs()[0]);
    assertThat(apply("n1", append("contract.b", "x")).offsets()).containsExactly(0);
  }

  @Test
  void aFollowerIsNamedOnEveryAppendUntilItUnfollows() {
    String channel = "contract.follow";
    assertThat(apply("n1", ShardRequest.follow(channel)).offsets()).containsExactly(-1);
    apply("n2", ShardRequest.follow(channel));
    ShardReply appended = apply("n3", append(channel, "x"));
    assertThat(appended.followers()[0]).containsExactlyInAnyOrder("n1", "n2");
    ShardReply left = apply("n1", ShardRequest.unfollow(channel));
    assertThat(left.offsets()).containsExactly(0);
    assertThat(apply("n3", append(channel, "y")).followers()[0]).containsExactly("n2");
  }

  @Test
  void historyKeepsTheExactBytesUpToItsSize() {
    String channel = "contract.history";
    String[] values = {
      "0.10000000000000000555", "1e400", "\"\\ud83d\\ude00\"", "{ \"a\" : [1, 2] }"
    };
    for (String v : values) apply("n1", appendWithHistory(channel, v, 3, 600));
    LogSlice slice = await(log().read(channel, 0, 100));
    assertThat(slice.first()).isEqualTo(1);
    assertThat(slice.tail()).isEqualTo(3);
    assertThat(slice.entries()).extracting(LogEntry::offset).containsExactly(1L, 2L, 3L);
    assertThat(slice.entries())
        .extracting(e -> new String(e.data(), StandardCharsets.UTF_8))
        .containsExactly(values[1], values[2], values[3]);
    assertThat(await(log().read(channel, 2, 1)).entries())
        .extracting(LogEntry::offset)
        .containsExactly(2L);
    assertThat(await(log().read("contract.never", 0, 10))).isNull();
  }

  @Test
  void aRetriedBatchIsAppliedOnceAndAnsweredTheSame() {
    String channel = "contract.retry";
    long batch = seq.incrementAndGet();
    ShardReply first = apply("n1", batch, append(channel, "x"), append(channel, "y"));
    ShardReply again = apply("n1", batch, append(channel, "x"), append(channel, "y"));
    assertThat(again.offsets()).containsExactly(first.offsets());
    assertThat(apply("n1", append(channel, "z")).offsets()).containsExactly(2);
  }

  @Test
  void positionsSayEpochAndTail() {
    ShardReply reply = apply("n1", append("contract.pos", "x"), append("contract.pos", "y"));
    int shard = log().shardOf("contract.pos");
    Map<String, Position> positions =
        await(log().positions(shard, List.of("contract.pos", "contract.nothing")));
    assertThat(positions).containsOnlyKeys("contract.pos");
    assertThat(positions.get("contract.pos")).isEqualTo(new Position(reply.epochs()[0], 1));
  }

  @Test
  void channelsSpreadOverTheShardsTheSameWayEveryTime() {
    List<Integer> shards = new ArrayList<>();
    for (int i = 0; i < 1000; i++) shards.add(log().shardOf("user." + i));
    assertThat(shards).allMatch(s -> s >= 0 && s < log().shards());
    for (int s = 0; s < log().shards(); s++) assertThat(shards).contains(s);
    assertThat(log().shardOf("user.7")).isEqualTo(shards.get(7));
  }

  @Test
  void idleChannelsGoAndComeBackUnderANewEpoch() {
    String channel = "contract.idle";
    long epoch = apply("n1", append(channel, "x")).epochs()[0];
    apply(liveFollower(), ShardRequest.follow("contract.kept"));
    expire();
    assertThat(await(log().read(channel, 0, 1))).isNotNull();
    clock.advance(Duration.ofMillis(IDLE_MILLIS));
    assertThat(expire()).isGreaterThanOrEqualTo(1);
    assertThat(await(log().read(channel, 0, 1))).isNull();
    assertThat(await(log().positions(log().shardOf("contract.kept"), List.of("contract.kept"))))
        .containsKey("contract.kept");
    ShardReply again = apply("n1", append(channel, "y"));
    assertThat(again.offsets()).containsExactly(0);
    assertThat(again.epochs()[0]).isNotEqualTo(epoch);
  }

  @Test
  void aChannelWithHistoryStaysForItsAgeThenGoes() {
    String channel = "contract.aged";
    apply("n1", appendWithHistory(channel, "x", 10, 600));
    clock.advance(Duration.ofMillis(IDLE_MILLIS * 2));
    expire();
    assertThat(await(log().read(channel, 0, 10)).entries()).hasSize(1);
    clock.advance(Duration.ofSeconds(600));
    expire();
    assertThat(await(log().read(channel, 0, 10))).isNull();
  }
}
