package io.wsgrid.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.RawWebSocket;
import io.wsgrid.testing.WsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Clients publishing far over their rate (--max-message-rate 50, bursts of 50) get {@code
 * rate_limited} and are then closed with 1008, while a well-behaved publisher and subscriber on the
 * same node keep every publication at normal latency.
 */
class FloodIT {
  static final int RATE = 50;
  static final int BURST = 50;
  static final int FLOODERS = 2;
  static final int FLOOD_FRAMES = Integer.getInteger("flood.frames", 20_000);

  /** Where the node listens. */
  record Target(int port) {
    String wsUrl() {
      return "ws://127.0.0.1:" + port + "/ws";
    }

    String httpUrl() {
      return "http://127.0.0.1:" + port;
    }
  }

  record Flood(int rateLimited, int closeCode, String closeReason, long millis) {}

  @Test
  void floodersAreLimitedThenClosedWhileOthersStayFast() throws Exception {
    Vertx vertx = Vertx.vertx();
    int port = Ports.free();
    // The node is its own process (from the fat jar, limits set by its flags): the flooders'
    // garbage
    // and threads in this JVM must not pause the node whose latency is measured.
    try (JarProcess process =
        JarProcess.start(
            "flood-node",
            "node",
            "--port",
            "" + port,
            "--name",
            "flood",
            "--cluster-name",
            Ports.clusterName("flood"),
            "--cluster-port",
            "" + Ports.clusterPort(),
            "--instances",
            "2",
            "--max-message-rate",
            "" + RATE,
            "--message-burst",
            "" + BURST)) {
      process.awaitReady("http://127.0.0.1:" + port + "/ready", Duration.ofSeconds(90));
      Target node = new Target(port);
      ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
      AtomicInteger received = new AtomicInteger();
      AtomicInteger floodDelivered = new AtomicInteger();
      long[] floodStart = {Long.MAX_VALUE};
      // Held in a variable: an unreferenced Vert.x client is cleaned up with its connections.
      io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
      ClientWebSocket subscriber = client.webSocket();
      subscriber.textMessageHandler(
          text -> {
            JsonObject frame = new JsonObject(text);
            if ("calm.feed".equals(frame.getString("channel")) && frame.getValue("id") == null) {
              long lat = System.nanoTime() / 1000 - frame.getJsonObject("data").getLong("t");
              latencies.add(lat);
              if (lat > 50_000)
                System.out.printf(
                    "slow calm delivery: n=%d %.1f ms, sent %.1f ms after the flood began%n",
                    frame.getJsonObject("data").getInteger("n"),
                    lat / 1000.0,
                    (frame.getJsonObject("data").getLong("t") - floodStart[0]) / 1000.0);
              received.incrementAndGet();
            } else if ("flood.x".equals(frame.getString("channel"))) {
              floodDelivered.incrementAndGet();
            }
          });
      Await.result(
          subscriber.connect(
              new WebSocketConnectOptions()
                  .setHost("127.0.0.1")
                  .setPort(node.port())
                  .setURI("/ws")));
      subscriber.writeTextMessage("{\"op\":\"subscribe\",\"channel\":\"calm.feed\",\"id\":1}");
      subscriber.writeTextMessage("{\"op\":\"subscribe\",\"channel\":\"flood.x\",\"id\":2}");

      try (WsClient calm = WsClient.connect(vertx, node.wsUrl())) {
        Thread.sleep(300);
        int sent = 0;
        // Baseline: 2 s at 25 publications/s.
        sent = publish(calm, sent, 50);
        List<Long> baseline = drain(latencies);
        // One flood beforehand, not measured: the node's first rate-limit refusals run cold code
        // (class loading, interpreter); a node in production has long been warm.
        for (int i = 0; i < FLOODERS; i++) flood(node);
        sent = publish(calm, sent, 10);
        drain(latencies);
        floodDelivered.set(0);
        List<Flood> floods = Collections.synchronizedList(new ArrayList<>());
        List<Thread> flooders = new ArrayList<>();
        floodStart[0] = System.nanoTime() / 1000;
        for (int i = 0; i < FLOODERS; i++) {
          Thread t = new Thread(() -> floods.add(flood(node)), "flooder-" + i);
          t.start();
          flooders.add(t);
        }
        // The same calm load while the flooders go, and after.
        sent = publish(calm, sent, 50);
        for (Thread t : flooders) t.join(30_000);
        sent = publish(calm, sent, 75);
        List<Long> during = drain(latencies);
        int total = sent;
        Await.until(
            "every calm publication delivered",
            Duration.ofSeconds(10),
            () -> received.get() >= total);

        System.out.printf(
            "flood: %s; %d flood publications got through; calm p50/p99/max before %.1f/%.1f/%.1f ms, during and after %.1f/%.1f/%.1f ms%n",
            floods,
            floodDelivered.get(),
            q(baseline, 0.5),
            q(baseline, 0.99),
            q(baseline, 1),
            q(during, 0.5),
            q(during, 0.99),
            q(during, 1));
        assertThat(floods).hasSize(FLOODERS);
        for (Flood f : floods) {
          assertThat(f.rateLimited()).as("rate_limited errors before the close").isGreaterThan(0);
          assertThat(f.closeCode()).isEqualTo(1008);
          assertThat(f.closeReason()).contains("rate limit");
        }
        long longest = floods.stream().mapToLong(Flood::millis).max().orElse(0);
        assertThat(floodDelivered.get())
            .as(
                "flood publications that got through: the bursts plus the rate over the flood's time")
            .isGreaterThan(0)
            .isLessThanOrEqualTo(FLOODERS * (BURST + (int) (RATE * longest / 1000) + 2));
        assertThat(received.get()).isEqualTo(total);
        // Measured here (2 cores shared by the flooders and the node): p50 unchanged, one calm
        // delivery
        // per flood delayed 70-260 ms while the flood's backlog is read (420 ms with other builds
        // on
        // the machine); never a stall, which would hold calm deliveries for seconds.
        assertThat(q(during, 0.99))
            .as("calm delivery p99 during and after the flood, ms")
            .isLessThan(Math.max(750, 5 * q(baseline, 0.99)));
        assertThat(q(during, 1)).as("slowest calm delivery, ms").isLessThan(2000);
        assertThat(
                Http.metric(
                    node.httpUrl(),
                    "wsgrid_rejections_total",
                    "node",
                    "flood",
                    "reason",
                    "rate_limited"))
            .isGreaterThanOrEqualTo(FLOODERS);
      } finally {
        subscriber.close();
        client.close();
      }
    } finally {
      vertx.close();
    }
  }

  /**
   * Publishes {@code count} at 25/s, each stamped with its send time (µs), waiting for each ack.
   */
  private static int publish(WsClient calm, int from, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      JsonObject reply =
          calm.publish(
              "calm.feed", new JsonObject().put("n", from + i).put("t", System.nanoTime() / 1000));
      assertThat(reply.getBoolean("ok", false))
          .as("calm publisher is never limited: %s", reply)
          .isTrue();
      Thread.sleep(40);
    }
    return from + count;
  }

  /**
   * Sends publications as fast as the socket takes them, until the node closes it; counts the
   * answers.
   */
  private static Flood flood(Target node) {
    long start = System.nanoTime();
    try (RawWebSocket ws = RawWebSocket.connect("127.0.0.1", node.port(), "/ws", 1 << 20)) {
      byte[] frame =
          System.getProperty(
                  "flood.frame", "{\"op\":\"publish\",\"channel\":\"flood.x\",\"data\":\"spam\"}")
              .getBytes();
      int[] answers = new int[3];
      String[] reason = {""};
      Thread readLoop =
          new Thread(
              () -> {
                try {
                  while (true) {
                    RawWebSocket.Frame f = ws.readFrame();
                    if (f.opcode() == 0x8) {
                      answers[2] = ((f.payload()[0] & 0xff) << 8) | (f.payload()[1] & 0xff);
                      reason[0] = new String(f.payload(), 2, f.payload().length - 2);
                      return;
                    }
                    String text = f.text();
                    if (text.contains("\"ok\":true")) answers[0]++;
                    else if (text.contains("rate_limited")) answers[1]++;
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      readLoop.start();
      for (int i = 0; i < FLOOD_FRAMES && readLoop.isAlive(); i++) {
        try {
          ws.sendFrame(0x1, true, frame);
        } catch (IOException e) {
          break;
        }
      }
      readLoop.join(15_000);
      return new Flood(answers[1], answers[2], reason[0], (System.nanoTime() - start) / 1_000_000);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<Long> drain(ConcurrentLinkedQueue<Long> queue) {
    List<Long> out = new ArrayList<>();
    for (Long v; (v = queue.poll()) != null; ) out.add(v);
    return out;
  }

  private static double q(List<Long> micros, double quantile) {
    if (micros.isEmpty()) return 0;
    List<Long> sorted = new ArrayList<>(micros);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1))
        / 1000.0;
  }
}
