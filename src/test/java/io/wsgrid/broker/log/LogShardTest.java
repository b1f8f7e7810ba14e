package io.wsgrid.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shard's rules without any log around it: offsets, windows, history, expiry. */
class LogShardTest {
  private static byte[] data(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ShardBatch batch(String caller, long seq, long now, ShardRequest... requests) {
    return new ShardBatch(caller, seq, now, 42, List.of(requests));
  }

  @Test
  void aChannelWithoutHistoryOrFollowersKeepsOnlyItsOffsetAndEpoch() {
    LogShard shard = new LogShard();
    shard.apply(
        batch(
            "a",
            1,
            0,
            ShardRequest.append("c", data("1"), 0, 0, 0),
            ShardRequest.append("c", data("2"), 0, 0, 0)));
    ChannelLog c = shard.channels.get("c");
    assertThat(c.tail).isEqualTo(1);
    assertThat(c.kept()).isZero();
  }

  @Test
  void aFollowedChannelKeepsTheOrderingWindowAndLetsItGoWhenUnfollowed() {
    LogShard shard = new LogShard();
    shard.apply(batch("n1", 1, 0, ShardRequest.follow("c")));
    for (int i = 0; i < LogShard.ORDERING_WINDOW + 10; i++) {
      shard.apply(batch("n2", i + 1, 0, ShardRequest.append("c", data("" + i), 0, 0, 0)));
    }
    assertThat(shard.channels.get("c").kept()).isEqualTo(LogShard.ORDERING_WINDOW);
    assertThat(shard.read("c", 0, 100).first()).isEqualTo(10);
    shard.apply(batch("n1", 2, 0, ShardRequest.unfollow("c")));
    assertThat(shard.channels.get("c").kept()).isZero();
  }

  @Test
  void historyIsKeptUpToItsSizeAndAge() {
    LogShard shard = new LogShard();
    for (int i = 0; i < 5; i++)
      shard.apply(batch("a", i + 1, i * 1000L, ShardRequest.append("h", data("" + i), 0, 3, 10)));
    LogSlice slice = shard.read("h", 0, 10);
    assertThat(slice.first()).isEqualTo(2);
    assertThat(slice.entries()).extracting(LogEntry::offset).containsExactly(2L, 3L, 4L);
    assertThat(new String(slice.entries().get(0).data(), StandardCharsets.UTF_8)).isEqualTo("2");
    shard.expire(
        12_500, 1_000, null); // offsets 2 (t=2s) and 3 (t=3s) are older than 10 s at 12.5 s... 2 is
    assertThat(shard.read("h", 0, 10).entries())
        .extracting(LogEntry::offset)
        .containsExactly(3L, 4L);
    shard.expire(14_000, 1_000, null);
    assertThat(shard.read("h", 0, 10)).isNull(); // nothing kept, idle, unfollowed: gone
  }

  @Test
  void idleChannelsGoButFollowedOnesStay() {
    LogShard shard = new LogShard();
    shard.apply(
        batch(
            "n1",
            1,
            0,
            ShardRequest.follow("followed"),
            ShardRequest.append("idle", data("x"), 0, 0, 0)));
    assertThat(shard.expire(59_999, 60_000, null)).isZero();
    assertThat(shard.expire(60_000, 60_000, null)).isEqualTo(1);
    assertThat(shard.names()).containsExactly("followed");
  }

  @Test
  void followersThatAreNoLongerMembersAreDropped() {
    LogShard shard = new LogShard();
    shard.apply(batch("n1", 1, 0, ShardRequest.follow("c")));
    shard.apply(batch("n2", 1, 0, ShardRequest.follow("c")));
    shard.expire(1, 60_000, Set.of("n2"));
    assertThat(shard.channels.get("c").followers).containsExactly("n2");
    assertThat(shard.lastReplies).containsOnlyKeys("n2");
  }

  @Test
  void aRetriedBatchIsAppliedOnce() {
    LogShard shard = new LogShard();
    ShardBatch first = batch("a", 1, 0, ShardRequest.append("c", data("x"), 0, 0, 0));
    ShardReply reply = shard.apply(first);
    assertThat(shard.apply(first)).isSameAs(reply);
    assertThat(shard.channels.get("c").tail).isZero();
    assertThat(
            shard.apply(batch("a", 2, 0, ShardRequest.append("c", data("y"), 0, 0, 0))).offsets())
        .containsExactly(1);
  }

  @Test
  void theSameBatchesGiveTheSameStateOnEveryCopy() {
    LogShard primary = new LogShard();
    LogShard backup = new LogShard();
    for (int i = 0; i < 50; i++) {
      ShardBatch b =
          batch(
              "n" + (i % 3),
              i + 1,
              i * 10L,
              ShardRequest.follow("f" + (i % 4)),
              ShardRequest.append("c" + (i % 7), data("" + i), i, i % 2 == 0 ? 5 : 0, 30),
              ShardRequest.unfollow("f" + (i % 5)));
      primary.apply(b);
      backup.apply(b);
    }
    primary.expire(400, 100, Set.of("n0", "n1"));
    backup.expire(400, 100, Set.of("n0", "n1"));
    assertThat(backup.names()).containsExactlyInAnyOrderElementsOf(primary.names());
    for (String name : primary.names()) {
      assertThat(backup.read(name, 0, 100))
          .usingRecursiveComparison()
          .isEqualTo(primary.read(name, 0, 100));
      assertThat(backup.channels.get(name).followers)
          .containsExactly(primary.channels.get(name).followers);
    }
  }

  /** Two copies of one shard: what both had before a split, then what each side added alone. */
  private static LogShard[] split(String channel, int historySize) {
    LogShard before = new LogShard();
    before.apply(
        batch(
            "n1",
            1,
            0,
            ShardRequest.follow(channel),
            ShardRequest.append(channel, data("a"), 1, historySize, 600)));
    LogShard left = LogShard.merge(before, new LogShard());
    LogShard right = LogShard.merge(before, new LogShard());
    return new LogShard[] {left, right};
  }

  @Test
  void aMergeKeepsWhatOnlyOneSideChangedAndBothSidesFollowers() {
    LogShard[] sides = split("c", 10);
    sides[0].apply(batch("n1", 2, 5, ShardRequest.append("c", data("b"), 2, 10, 600)));
    sides[1].apply(batch("n2", 1, 5, ShardRequest.follow("c"), ShardRequest.follow("only.right")));
    long epoch = sides[0].channels.get("c").epoch;
    for (LogShard merged :
        List.of(LogShard.merge(sides[0], sides[1]), LogShard.merge(sides[1], sides[0]))) {
      ChannelLog c = merged.channels.get("c");
      assertThat(c.epoch).isEqualTo(epoch);
      assertThat(c.tail).isEqualTo(1);
      assertThat(merged.read("c", 0, 10).entries())
          .extracting(e -> new String(e.data(), StandardCharsets.UTF_8))
          .containsExactly("a", "b");
      assertThat(c.followers).containsExactlyInAnyOrder("n1", "n2");
      assertThat(merged.names()).contains("only.right");
    }
  }

  @Test
  void aMergeOfTwoSidesThatBothPublishedStartsANewEpochAfterTheHigherOffset() {
    LogShard[] sides = split("c", 10);
    sides[0].apply(batch("n1", 2, 5, ShardRequest.append("c", data("left"), 2, 10, 600)));
    sides[1].apply(
        batch(
            "n2",
            1,
            5,
            ShardRequest.append("c", data("right"), 3, 10, 600),
            ShardRequest.append("c", data("right2"), 4, 10, 600)));
    long epoch = sides[0].channels.get("c").epoch;
    LogShard merged = LogShard.merge(sides[0], sides[1]);
    ChannelLog c = merged.channels.get("c");
    assertThat(c.epoch)
        .isNotEqualTo(epoch)
        .isEqualTo(LogShard.merge(sides[1], sides[0]).channels.get("c").epoch);
    assertThat(c.tail).isEqualTo(2);
    assertThat(merged.read("c", 0, 10).entries()).isEmpty();
    assertThat(
            merged
                .apply(batch("n1", 3, 6, ShardRequest.append("c", data("next"), 5, 10, 600)))
                .offsets())
        .containsExactly(3);
  }

  @Test
  void aChannelThatKeptNoDataIsOnlyKeptAsItIsWhenBothSidesAgree() {
    LogShard[] same = split("quiet", 0);
    assertThat(LogShard.merge(same[0], same[1]).channels.get("quiet").epoch)
        .isEqualTo(same[0].channels.get("quiet").epoch);
    LogShard[] sides = split("quiet", 0);
    sides[1].apply(
        batch(
            "n1",
            2,
            5,
            ShardRequest.unfollow("quiet"),
            ShardRequest.append("quiet", data("x"), 2, 0, 0)));
    sides[0].apply(batch("n1", 2, 5, ShardRequest.unfollow("quiet")));
    assertThat(LogShard.merge(sides[0], sides[1]).channels.get("quiet").epoch)
        .isNotEqualTo(sides[0].channels.get("quiet").epoch);
  }

  @Test
  void aCopyWithoutAnyPublicationAddsOnlyItsFollowers() {
    LogShard[] sides = split("c", 10);
    LogShard alone =
        new LogShard(); // a side that lost the shard and only followed the channel again
    alone.apply(new ShardBatch("n3", 1, 5, 99, List.of(ShardRequest.follow("c"))));
    long epoch = sides[0].channels.get("c").epoch;
    ChannelLog merged = LogShard.merge(sides[0], alone).channels.get("c");
    assertThat(merged.epoch).isEqualTo(epoch);
    assertThat(merged.tail).isZero();
    assertThat(merged.followers).containsExactlyInAnyOrder("n1", "n3");
    assertThat(LogShard.merge(alone, sides[0]).channels.get("c").epoch).isEqualTo(epoch);
  }
}
