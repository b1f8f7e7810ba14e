package io.wsgrid.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.PublicationRecorder;
import io.wsgrid.testing.PublicationRecorder.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A thousand channels, publishers on two nodes, subscribers on three, fat-jar processes: every
 * subscriber gets every channel in one order with offsets +1, also while a fourth member, which
 * owns part of the publication log, is killed with SIGKILL.
 */
class ManyChannelsIT {
  private static final int CHANNELS = 1000;
  private static final int ROUNDS = 6;

  @Test
  void everySubscriberSeesEachChannelInOneOrderWhileAMemberIsKilled() throws Exception {
    String cluster = Ports.clusterName("many");
    int hz = Ports.clusterPort();
    List<JarProcess> nodes = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    List<PublicationRecorder> clients = new ArrayList<>();
    try {
      for (String name : List.of("a", "b", "c", "d")) {
        int port = Ports.free();
        ports.add(port);
        nodes.add(
            JarProcess.start(
                "many-" + name,
                "node",
                "--port",
                "" + port,
                "--name",
                name,
                "--cluster-name",
                cluster,
                "--cluster-port",
                "" + hz,
                "--instances",
                "2",
                "--max-message-rate",
                "0"));
      }
      for (int i = 0; i < nodes.size(); i++)
        nodes
            .get(i)
            .awaitReady("http://127.0.0.1:" + ports.get(i) + "/ready", Duration.ofSeconds(90));
      Await.until(
          "4 nodes in the cluster",
          Duration.ofSeconds(60),
          () -> JarProcess.metric("http://127.0.0.1:" + ports.get(0), "wsgrid_cluster_nodes") == 4);

      List<String> channels = IntStream.range(0, CHANNELS).mapToObj(i -> "many." + i).toList();
      List<PublicationRecorder> subscribers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        PublicationRecorder s =
            PublicationRecorder.connect(vertx, "ws://127.0.0.1:" + ports.get(i) + "/ws");
        clients.add(s);
        s.subscribeAll(channels);
        subscribers.add(s);
      }
      PublicationRecorder p1 =
          PublicationRecorder.connect(vertx, "ws://127.0.0.1:" + ports.get(0) + "/ws");
      PublicationRecorder p2 =
          PublicationRecorder.connect(vertx, "ws://127.0.0.1:" + ports.get(1) + "/ws");
      clients.add(p1);
      clients.add(p2);
      for (int round = 0; round < ROUNDS; round++) {
        for (String channel : channels) {
          p1.publishRaw(channel, "\"a" + round + "\"");
          p2.publishRaw(channel, "\"b" + round + "\"");
        }
        if (round == ROUNDS / 2) {
          nodes.get(3).kill(); // d: holds shards of the log, no clients
        }
        Thread.sleep(200);
      }
      p1.awaitOk(CHANNELS * ROUNDS, Duration.ofSeconds(120));
      p2.awaitOk(CHANNELS * ROUNDS, Duration.ofSeconds(120));
      long total = (long) CHANNELS * ROUNDS * 2;
      for (PublicationRecorder s : subscribers) {
        Await.until(
            "all " + total + " publications at a subscriber",
            Duration.ofSeconds(60),
            () -> s.publications() >= total);
      }
      Thread.sleep(300);
      for (String channel : channels) {
        List<Received> reference = subscribers.get(0).of(channel);
        for (PublicationRecorder s : subscribers) {
          List<Received> got = s.of(channel);
          assertThat(got)
              .as(channel)
              .extracting(Received::offset)
              .containsExactlyElementsOf(LongStream.range(0, ROUNDS * 2).boxed().toList());
          assertThat(got)
              .as(channel + ": one order on every subscriber")
              .containsExactlyElementsOf(reference);
        }
        // each publisher's own order is kept inside the one order
        assertThat(reference.stream().map(Received::data).filter(d -> d.startsWith("\"a")).toList())
            .containsExactlyElementsOf(
                IntStream.range(0, ROUNDS).mapToObj(r -> "\"a" + r + "\"").toList());
        assertThat(reference.stream().map(Received::data).filter(d -> d.startsWith("\"b")).toList())
            .containsExactlyElementsOf(
                IntStream.range(0, ROUNDS).mapToObj(r -> "\"b" + r + "\"").toList());
      }
    } finally {
      clients.forEach(PublicationRecorder::close);
      Await.result(vertx.close());
      nodes.forEach(JarProcess::close);
    }
  }
}
