package io.wsgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node whose Hazelcast member shuts down under it (what Hazelcast does when the merge after a
 * split fails) does not stay up unreachable: it stops taking sockets and its {@code stopped()}
 * future fails, which makes {@code wsgrid node} exit 1 so that its supervisor restarts it.
 */
class MemberLostIT {
  @Test
  void aNodeWhoseClusterMemberShutsDownStopsAndSaysSo() throws Exception {
    TestNodes cluster = new TestNodes("member-lost");
    try {
      Node node = cluster.start("lost", 1, 64 * 1024, 1024 * 1024);
      assertThat(node.isReady()).isTrue();

      node.hazelcast().getLifecycleService().terminate();

      assertThat(node.awaitStopped(30, TimeUnit.SECONDS))
          .as("the node stopped after its member shut down")
          .isTrue();
      assertThat(node.stopped().failed()).as("stopped() fails: the CLI exits 1").isTrue();
      assertThat(node.stopped().cause().getMessage())
          .contains("cluster member shut down", "restart it");
      Await.until("the node refuses sockets", Duration.ofSeconds(5), () -> !node.isReady());
    } finally {
      cluster.close();
    }
  }
}
