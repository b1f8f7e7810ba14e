package io.wsgrid.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against the Hazelcast log on three real members on 127.0.0.1, and what only a
 * cluster can show.
 */
class HazelcastPublicationLogIT extends PublicationLogContract {
  private static final List<HazelcastInstance> members = new ArrayList<>();
  private static String clusterName;
  private static int port;
  private HazelcastPublicationLog log;

  @BeforeAll
  static void startMembers() {
    clusterName = Ports.clusterName("log");
    port = Ports.clusterPort();
    for (int i = 0; i < 3; i++) members.add(Hazelcast.newHazelcastInstance(config(i)));
    Await.until(
        "3 members",
        Duration.ofSeconds(60),
        () -> members.get(0).getCluster().getMembers().size() == 3);
  }

  static Config config(int index) {
    Config config =
        new Config().setClusterName(clusterName).setInstanceName(clusterName + "-" + index);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(true).setPortCount(20);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    var join = config.getNetworkConfig().getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    config.setProperty("hazelcast.tcp.join.port.try.count", "6");
    config
        .getMemberAttributeConfig()
        .setAttribute(HazelcastPublicationLog.FOLLOWER_ATTRIBUTE, "member" + index);
    HazelcastPublicationLog.configure(config);
    return config;
  }

  @AfterAll
  static void stopMembers() {
    members.forEach(HazelcastInstance::shutdown);
  }

  @Override
  protected PublicationLog log() {
    if (log == null) log = new HazelcastPublicationLog(members.get(0), clock, IDLE_MILLIS);
    return log;
  }

  @Override
  protected String liveFollower() {
    return "member1";
  }

  @Override
  protected int expire() {
    int removed = 0;
    for (HazelcastInstance member : members)
      removed += await(new HazelcastPublicationLog(member, clock, IDLE_MILLIS).expire());
    return removed;
  }

  @Test
  void whatACompletedBatchChangedSurvivesTheCrashOfTheShardsOwner() {
    // A fourth member owns some shards; it is killed without any migration.
    HazelcastInstance extra = Hazelcast.newHazelcastInstance(config(3));
    try {
      Await.until(
          "4 members",
          Duration.ofSeconds(60),
          () -> members.get(0).getCluster().getMembers().size() == 4);
      HazelcastPublicationLog viaExtra = new HazelcastPublicationLog(extra, clock, IDLE_MILLIS);
      List<String> channels = new ArrayList<>();
      for (int i = 0; i < 40; i++) channels.add("crash." + i);
      for (String channel : channels) {
        await(
            viaExtra.apply(
                viaExtra.shardOf(channel),
                new ShardBatch(
                    "extra-" + channel,
                    1,
                    clock.millis(),
                    5,
                    List.of(
                        appendWithHistory(channel, "a", 10, 600),
                        appendWithHistory(channel, "b", 10, 600)))));
      }
      Await.until(
          "the log's shards spread to the fourth member",
          Duration.ofSeconds(60),
          () -> {
            for (int s = 0; s < HazelcastPublicationLog.SHARDS; s++) {
              var owner =
                  extra
                      .getPartitionService()
                      .getPartition(HazelcastPublicationLog.MAP + "." + s)
                      .getOwner();
              if (owner != null && owner.localMember()) return true;
            }
            return false;
          });
      extra.getLifecycleService().terminate();
      Await.until(
          "3 members",
          Duration.ofSeconds(60),
          () -> members.get(0).getCluster().getMembers().size() == 3);
      for (String channel : channels) {
        LogSlice slice = await(log().read(channel, 0, 10));
        assertThat(slice).as(channel).isNotNull();
        assertThat(slice.entries()).extracting(e -> new String(e.data())).containsExactly("a", "b");
        assertThat(apply("n1", append(channel, "c")).offsets()).as(channel).containsExactly(2);
      }
    } finally {
      if (extra.getLifecycleService().isRunning()) extra.getLifecycleService().terminate();
    }
  }

  @Test
  void followersThatLeftTheClusterAreDroppedBySweeps() {
    String channel = "sweep.followers";
    apply("member1", ShardRequest.follow(channel));
    apply("gone", ShardRequest.follow(channel));
    expire();
    assertThat(apply("n1", append(channel, "x")).followers()[0]).containsExactly("member1");
  }
}
