package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.NetNamespace;
import io.wsgrid.testing.NetworkLab;
import io.wsgrid.testing.PublicationRecorder;
import io.wsgrid.testing.PublicationRecorder.Received;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Fault: two of three hosts cut off from the third for 20 s while publishers on both sides publish
 * to the same channels, then healed. The outcome README ("What survives what") documents, checked
 * per client: a client is never left on a silent hole. Either what it received is, offset for
 * offset, what the healed cluster's history holds under the epoch it subscribed with, or it was
 * told (closed with 1012) and subscribing again with {@code since} says {@code recovered:false}
 * with a new epoch. Side A's clients run in this process; side B's inside host 3 ({@code
 * src/test/js/recorder.js}), since nothing reaches a cut-off host from outside.
 */
class SplitBrainIT {
  private static final int PORT = 8081;
  private static final int CHANNELS = 20;
  private static final String PREFIX = "chat.split.";

  @Test
  void eachClientHasTheHistoryItSawOrIsToldItCannotRecover() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<PublicationRecorder> clients = new ArrayList<>();
    AtomicBoolean publishing = new AtomicBoolean(true);
    Process sideB = null;
    try (NetworkLab lab = NetworkLab.create(3)) {
      List<JarProcess> nodes = new ArrayList<>();
      for (int h = 1; h <= 3; h++)
        nodes.add(lab.startNode(lab.host(h), "split-n" + h, PORT, "--max-message-rate", "0"));
      for (int h = 1; h <= 3; h++)
        nodes.get(h - 1).awaitReady(http(lab, h) + "/ready", Duration.ofSeconds(120));
      awaitClusterSize(lab, List.of(1, 2, 3), 3, "one cluster of three", Duration.ofSeconds(60));

      // Side A: a subscriber on host 1, a publisher on host 2 (this process reaches both).
      List<String> channels = new ArrayList<>();
      for (int i = 0; i < CHANNELS; i++) channels.add(PREFIX + i);
      PublicationRecorder subscriberA = PublicationRecorder.connect(vertx, ws(lab, 1));
      clients.add(subscriberA);
      Map<String, String> epochsA = new HashMap<>();
      for (String channel : channels) {
        epochsA.put(
            channel,
            subscriberA
                .request(new JsonObject().put("op", "subscribe").put("channel", channel))
                .getString("epoch"));
      }
      PublicationRecorder publisherA = PublicationRecorder.connect(vertx, ws(lab, 2));
      clients.add(publisherA);

      // Side B: inside host 3, for 55 s.
      Path outB = Files.createTempFile("split-b", ".json");
      NetNamespace host3 = lab.host(3);
      List<String> command = new ArrayList<>(host3.execPrefix());
      command.addAll(
          List.of(
              "node",
              "recorder.js",
              ws(lab, 3),
              PREFIX,
              "" + CHANNELS,
              "B",
              "100",
              "55",
              outB.toString()));
      File logB = Path.of("target", "it-logs", "split-recorder.log").toFile();
      sideB =
          new ProcessBuilder(command)
              .directory(new File("src/test/js"))
              .redirectErrorStream(true)
              .redirectOutput(logB)
              .start();
      Await.until(
          "side B subscribed", Duration.ofSeconds(30), () -> readable(logB).contains("SUBSCRIBED"));

      int[] sent = new int[CHANNELS];
      Thread load =
          new Thread(
              () -> {
                while (publishing.get()) {
                  for (int i = 0; i < 5; i++) {
                    int ch = (int) (Math.random() * CHANNELS);
                    publisherA.publishRaw(PREFIX + ch, "\"A" + sent[ch]++ + "\"");
                  }
                  sleep(50);
                }
              });
      load.start();
      sleep(5_000);
      lab.partition(host3);
      awaitClusterSize(
          lab, List.of(1, 2), 2, "hosts 1 and 2 see only each other", Duration.ofSeconds(45));
      sleep(20_000);
      lab.heal();
      awaitClusterSize(
          lab, List.of(1, 2, 3), 3, "one cluster of three again", Duration.ofSeconds(90));
      for (int h = 1; h <= 3; h++)
        nodes.get(h - 1).awaitReady(http(lab, h) + "/ready", Duration.ofSeconds(30));
      sleep(8_000); // the nodes' self-checks see the merged log (every 2 s)
      publishing.set(false);
      load.join();
      assertThat(sideB.waitFor(90, java.util.concurrent.TimeUnit.SECONDS))
          .as("side B finished")
          .isTrue();
      JsonObject b = new JsonObject(Files.readString(outB));

      PublicationRecorder verifier = PublicationRecorder.connect(vertx, ws(lab, 1));
      clients.add(verifier);
      int told = 0;
      int kept = 0;
      // Client A
      Short codeA = subscriberA.closeCode();
      for (String channel : channels) {
        List<long[]> offsets = new ArrayList<>();
        List<String> data = new ArrayList<>();
        for (Received r : subscriberA.of(channel)) {
          offsets.add(new long[] {r.offset()});
          data.add(r.data());
        }
        if (check(verifier, channel, epochsA.get(channel), offsets, data, codeA, "client A"))
          kept++;
        else told++;
      }
      // Client B
      JsonObject closedB = b.getJsonObject("closed");
      Short codeB = closedB == null ? null : closedB.getInteger("code").shortValue();
      for (String channel : channels) {
        List<long[]> offsets = new ArrayList<>();
        List<String> data = new ArrayList<>();
        JsonArray got = b.getJsonObject("received").getJsonArray(channel, new JsonArray());
        for (int i = 0; i < got.size(); i++) {
          offsets.add(new long[] {got.getJsonArray(i).getLong(0)});
          data.add("\"" + got.getJsonArray(i).getString(1) + "\"");
        }
        if (check(
            verifier,
            channel,
            b.getJsonObject("epochs").getString(channel),
            offsets,
            data,
            codeB,
            "client B")) kept++;
        else told++;
      }
      System.out.printf(
          "split brain: %d channel streams verified against the healed history, %d told to recover (client A closed %s, B %s)%n",
          kept, told, codeA, codeB);
      assertThat(told)
          .as("both sides published to every channel: its streams are told they cannot recover")
          .isPositive();
    } finally {
      publishing.set(false);
      if (sideB != null && sideB.isAlive()) sideB.destroyForcibly();
      clients.forEach(PublicationRecorder::close);
      Await.result(vertx.close());
    }
  }

  /**
   * One client's stream of one channel. Its offsets go up by one. Subscribing again with since its
   * first offset (minus one) in the epoch it subscribed with either recovers, and then the history
   * is, offset for offset, what the client received (true), or does not, and then the client must
   * have been told (closed with 1012) and the epoch must be new (false).
   */
  private static boolean check(
      PublicationRecorder verifier,
      String channel,
      String epoch,
      List<long[]> offsets,
      List<String> data,
      Short closeCode,
      String who) {
    for (int i = 1; i < offsets.size(); i++) {
      assertThat(offsets.get(i)[0])
          .as(who + " " + channel + ": offsets go up by one")
          .isEqualTo(offsets.get(i - 1)[0] + 1);
    }
    long first = offsets.isEmpty() ? 0 : offsets.get(0)[0];
    JsonObject reply =
        verifier.request(
            new JsonObject()
                .put("op", "subscribe")
                .put("channel", channel)
                .put("since", new JsonObject().put("offset", first - 1).put("epoch", epoch)));
    if (!reply.getBoolean("recovered", false)) {
      assertThat(closeCode)
          .as(who + " " + channel + ": not recoverable, so the client must have been told (1012)")
          .isEqualTo((short) 1012);
      assertThat(reply.getString("epoch"))
          .as(who + " " + channel + ": a new epoch")
          .isNotEqualTo(epoch);
      verifier.request(new JsonObject().put("op", "unsubscribe").put("channel", channel));
      return false;
    }
    long upTo = reply.getLong("offset");
    Await.until(
        channel + " history replayed",
        Duration.ofSeconds(20),
        () -> verifier.of(channel).size() >= upTo - first + 1);
    List<Received> history = verifier.of(channel);
    for (int i = 0; i < offsets.size(); i++) {
      assertThat(history.get(i).offset()).isEqualTo(offsets.get(i)[0]);
      assertThat(history.get(i).data())
          .as(
              who
                  + " "
                  + channel
                  + " offset "
                  + offsets.get(i)[0]
                  + ": what it received is the history")
          .isEqualTo(data.get(i));
    }
    verifier.request(new JsonObject().put("op", "unsubscribe").put("channel", channel));
    return true;
  }

  private static String readable(File file) {
    try {
      return Files.readString(file.toPath());
    } catch (Exception e) {
      return "";
    }
  }

  private static void awaitClusterSize(
      NetworkLab lab, List<Integer> hosts, int size, String what, Duration timeout) {
    Await.until(
        what + " (wsgrid_cluster_nodes " + size + ")",
        timeout,
        () -> {
          boolean all =
              hosts.stream()
                  .allMatch(
                      h -> lab.metric(lab.host(h), http(lab, h), "wsgrid_cluster_nodes") == size);
          if (!all) sleep(500);
          return all;
        });
  }

  private static String http(NetworkLab lab, int host) {
    return "http://" + lab.host(host).address() + ":" + PORT;
  }

  private static String ws(NetworkLab lab, int host) {
    return "ws://" + lab.host(host).address() + ":" + PORT + "/ws";
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
