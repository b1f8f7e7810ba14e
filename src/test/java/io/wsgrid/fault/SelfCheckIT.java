package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.wsgrid.broker.EventBusFanout;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.node.Node;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node checks its own delivery path: when the cluster loses its fan-out registration behind its
 * back (the Vert.x/Hazelcast event bus has had bugs of that kind), publications from other nodes
 * stop reaching it; within a few seconds it reads what it missed from the log, registers again, and
 * counts both in {@code wsgrid_self_check_repairs_total}.
 */
class SelfCheckIT {
  private static TestNodes cluster;
  private static Node a;
  private static Node b;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    cluster = new TestNodes("selfcheck");
    a = cluster.start("a");
    b = cluster.start("b");
    Await.until(
        "2 members",
        Duration.ofSeconds(30),
        () -> a.hazelcast().getCluster().getMembers().size() == 2);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (clients != null) Await.result(clients.close());
    if (cluster != null) cluster.close();
  }

  private static double repairs(Node node, String kind) {
    var counter =
        node.registry()
            .find(MeterNames.SELF_CHECK_REPAIRS)
            .tag(MeterNames.TAG_KIND, kind)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aNodeWhoseFanoutRegistrationIsLostStillDeliversWithinSeconds() throws Exception {
    try (WsClient publisher = WsClient.connect(clients, a.settings().wsUrl());
        WsClient subscriber = WsClient.connect(clients, b.settings().wsUrl())) {
      subscriber.subscribe("check.one");
      publisher.publish("check.one", 0);
      assertThat(subscriber.publications("check.one", 1).get(0).getInteger("data")).isZero();

      // Remove b's registration from the cluster, as a lost event-bus registration would.
      ClusterManager manager = ((VertxInternal) b.vertx()).clusterManager();
      String address =
          b.hazelcast().<String, Object>getMultiMap("__vertx.subs").keySet().stream()
              .filter(k -> k.startsWith(EventBusFanout.PREFIX + "b-"))
              .findFirst()
              .orElseThrow();
      Promise<List<RegistrationInfo>> registrations = Promise.promise();
      manager.getRegistrations(address, registrations);
      for (RegistrationInfo info : Await.result(registrations.future())) {
        Promise<Void> removed = Promise.promise();
        manager.removeRegistration(address, info, removed);
        Await.result(removed.future());
      }
      Promise<List<RegistrationInfo>> left = Promise.promise();
      manager.getRegistrations(address, left);
      assertThat(Await.result(left.future())).isEmpty();

      long started = System.nanoTime();
      for (int i = 1; i <= 5; i++) publisher.publish("check.one", i);
      List<JsonObject> got = subscriber.publications("check.one", 5);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(got)
          .extracting(p -> p.getInteger("data"))
          .containsExactlyElementsOf(IntStream.rangeClosed(1, 5).boxed().toList());
      assertThat(got).extracting(p -> p.getLong("offset")).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(took).as("delivered by the self-check").isLessThan(Duration.ofSeconds(10));
      Await.until(
          "the repairs counted",
          Duration.ofSeconds(10),
          () -> repairs(b, "consumer") >= 1 && repairs(b, "gap") >= 1);

      // Registered again: the next publications come straight through.
      publisher.publish("check.one", 6);
      assertThat(subscriber.publications("check.one", 1).get(0).getInteger("data")).isEqualTo(6);
      assertThat(b.isReady()).isTrue();
    }
  }
}
