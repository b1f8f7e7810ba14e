package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.PublicationRecorder;
import io.wsgrid.testing.PublicationRecorder.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Two of three members killed with SIGKILL at once while publishing: the part of the log whose two
 * copies were both on them is gone. The survivor goes on taking publications, and each of its
 * subscribers either keeps receiving every channel in order, or is told to recover (closed with
 * 1012) and, subscribing with {@code since}, hears honestly whether it recovered: never a silent
 * hole.
 */
class LostCopiesIT {
  private static final int CLIENTS = 4;
  private static final int CHANNELS_EACH = 15;

  @Test
  void theSurvivorKeepsDeliveringOrTellsItsClientsToRecover() throws Exception {
    String cluster = Ports.clusterName("lost");
    int hz = Ports.clusterPort();
    List<JarProcess> nodes = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    List<PublicationRecorder> clients = new ArrayList<>();
    AtomicBoolean publishing = new AtomicBoolean(true);
    try {
      for (String name : List.of("a", "b", "c")) {
        int port = Ports.free();
        ports.add(port);
        nodes.add(
            JarProcess.start(
                "lost-" + name,
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
                "1",
                "--max-message-rate",
                "0"));
      }
      String base = "http://127.0.0.1:" + ports.get(0);
      for (int i = 0; i < 3; i++)
        nodes
            .get(i)
            .awaitReady("http://127.0.0.1:" + ports.get(i) + "/ready", Duration.ofSeconds(90));
      Await.until(
          "3 nodes",
          Duration.ofSeconds(60),
          () -> JarProcess.metric(base, "wsgrid_cluster_nodes") == 3);
      String url = "ws://127.0.0.1:" + ports.get(0) + "/ws";

      List<List<String>> channelsOf = new ArrayList<>();
      Map<String, String> epochs = new HashMap<>();
      for (int c = 0; c < CLIENTS; c++) {
        int first = c * CHANNELS_EACH;
        List<String> channels =
            IntStream.range(first, first + CHANNELS_EACH).mapToObj(i -> "chat.lost." + i).toList();
        PublicationRecorder client = PublicationRecorder.connect(vertx, url);
        for (String channel : channels) {
          epochs.put(
              channel,
              client
                  .request(new JsonObject().put("op", "subscribe").put("channel", channel))
                  .getString("epoch"));
        }
        clients.add(client);
        channelsOf.add(channels);
      }
      PublicationRecorder publisher = PublicationRecorder.connect(vertx, url);
      int total = CLIENTS * CHANNELS_EACH;
      int[] sent = new int[total];
      Thread load =
          new Thread(
              () -> {
                for (int n = 0; publishing.get(); n++) {
                  int ch = n % total;
                  publisher.publishRaw("chat.lost." + ch, "\"p" + sent[ch]++ + "\"");
                  if (ch == total - 1) sleep(50);
                }
              });
      load.start();
      sleep(3000);
      int[] sentAtKill = sent.clone();
      nodes.get(1).process().destroyForcibly();
      nodes.get(2).process().destroyForcibly();
      nodes.get(1).await(Duration.ofSeconds(10));
      nodes.get(2).await(Duration.ofSeconds(10));
      Await.until(
          "the survivor alone",
          Duration.ofSeconds(60),
          () -> JarProcess.metric(base, "wsgrid_cluster_nodes") == 1);
      sleep(3000);
      int acksAfterKill = publisher.okReplies();
      sleep(5000);
      assertThat(publisher.okReplies())
          .as("publications are still acknowledged after the kill")
          .isGreaterThan(acksAfterKill + 100);
      publishing.set(false);
      load.join();
      sleep(2000);

      int told = 0;
      for (int c = 0; c < CLIENTS; c++) {
        PublicationRecorder client = clients.get(c);
        if (client.closeCode() == null) {
          // Not told anything: then every channel went on in order, and reached past the kill.
          for (String channel : channelsOf.get(c)) {
            List<Received> got = client.of(channel);
            assertThat(got).as(channel).isNotEmpty();
            assertConsecutive(channel, got, got.get(0).offset());
            int lastN =
                Integer.parseInt(got.get(got.size() - 1).data().replace("\"", "").substring(1));
            assertThat(lastN)
                .as(channel + ": publications after the kill arrived")
                .isGreaterThan(
                    sentAtKill[Integer.parseInt(channel.substring("chat.lost.".length()))]);
          }
          continue;
        }
        told++;
        assertThat(client.closeCode()).as("told to reconnect and recover").isEqualTo((short) 1012);
        // Reconnect and recover every channel with since: true only over a complete, in-order
        // stream.
        PublicationRecorder again = PublicationRecorder.connect(vertx, url);
        clients.add(again);
        for (String channel : channelsOf.get(c)) {
          List<Received> before = client.of(channel);
          long last = before.isEmpty() ? -1 : before.get(before.size() - 1).offset();
          JsonObject reply =
              again.request(
                  new JsonObject()
                      .put("op", "subscribe")
                      .put("channel", channel)
                      .put(
                          "since",
                          new JsonObject().put("offset", last).put("epoch", epochs.get(channel))));
          assertThat(reply.getBoolean("ok")).as(channel + ": " + reply).isTrue();
          if (reply.getBoolean("recovered")) {
            assertThat(reply.getString("epoch")).isEqualTo(epochs.get(channel));
            long upTo = reply.getLong("offset");
            Await.until(
                channel + " replayed",
                Duration.ofSeconds(20),
                () -> again.of(channel).size() >= upTo - last);
            List<Received> all = new ArrayList<>(before);
            all.addAll(again.of(channel));
            assertConsecutive(channel, all, all.isEmpty() ? 0 : all.get(0).offset());
          } else {
            assertThat(reply.getString("epoch"))
                .as(channel + " not recovered: a new epoch")
                .isNotEqualTo(epochs.get(channel));
          }
        }
        // And it is live again.
        for (String channel : channelsOf.get(c)) publisher.publishRaw(channel, "\"after\"");
        Await.until(
            "live again",
            Duration.ofSeconds(20),
            () ->
                channelsOf.get(clients.indexOf(client)).stream()
                    .allMatch(
                        ch -> again.of(ch).stream().anyMatch(r -> r.data().equals("\"after\""))));
      }
      System.out.println(
          "lost copies: " + told + " of " + CLIENTS + " clients were told to recover");
    } finally {
      publishing.set(false);
      clients.forEach(PublicationRecorder::close);
      Await.result(vertx.close());
      nodes.forEach(JarProcess::close);
    }
  }

  /**
   * Offsets go up by one from {@code first}, and the publisher's own numbering never goes back (no
   * foreign publication).
   */
  private static void assertConsecutive(String channel, List<Received> got, long first) {
    long expected = first;
    int lastN = -1;
    for (Received r : got) {
      assertThat(r.offset()).as(channel + " offsets").isEqualTo(expected++);
      int n = Integer.parseInt(r.data().replace("\"", "").substring(1));
      assertThat(n).as(channel + " publisher order").isGreaterThan(lastN);
      lastN = n;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
