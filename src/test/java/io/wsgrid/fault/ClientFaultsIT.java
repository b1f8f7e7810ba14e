package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.client.Backoff;
import io.wsgrid.client.ClientOptions;
import io.wsgrid.client.WsgridClient;
import io.wsgrid.client.WsgridException;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.NodeScript;
import io.wsgrid.testing.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What a client lives through when its node fails, for both clients (the Java {@link WsgridClient}
 * and wsgrid.js in Node.js), against two fat-jar nodes given to the clients as a URL list (they
 * start on n1 and move to n2): a client with 500 channels whose node is killed recovers every
 * channel under the production rate limit (50/s, burst 100), and a node frozen with {@code kill
 * -STOP} is left within the ping interval plus the ping timeout.
 */
class ClientFaultsIT {
  private static final int CHANNELS = 500;

  @Test
  void clientsWith500ChannelsRecoverEveryChannelUnderTheProductionRateLimit() throws Exception {
    NodeScript.assumeAvailable();
    Vertx vertx = Vertx.vertx();
    // The production limits (conf/wsgrid.production.yaml).
    try (Nodes nodes =
            Nodes.start(
                "manych",
                "--max-message-rate",
                "50",
                "--message-burst",
                "100",
                "--max-subscriptions",
                "1000");
        NodeScript js =
            NodeScript.start(
                "client.js", nodes.http(1), clientConfig(nodes, new JsonObject()).encode())) {
      List<String> channels = IntStream.range(0, CHANNELS).mapToObj(i -> "chat.many" + i).toList();
      List<WsgridException> javaErrors = new CopyOnWriteArrayList<>();
      Map<String, List<Integer>> javaReceived = new ConcurrentHashMap<>();
      WsgridClient java =
          Await.result(
              WsgridClient.connect(
                  vertx,
                  nodes.wsUrls(),
                  ClientOptions.defaults().withBackoff(new Backoff(100, 2_000))),
              Duration.ofSeconds(30));
      java.onError(javaErrors::add);
      long started = System.nanoTime();
      List<Future<JsonObject>> subscribed = new ArrayList<>();
      for (String channel : channels) {
        javaReceived.put(channel, new CopyOnWriteArrayList<>());
        subscribed.add(
            java.subscribe(channel, p -> javaReceived.get(channel).add(p.getInteger("data"))));
      }
      js.await("STARTED ", Duration.ofSeconds(30));
      js.send(new JsonObject().put("cmd", "subscribe").put("channels", new JsonArray(channels)));
      Await.result(Future.all(subscribed), Duration.ofSeconds(90));
      JsonObject jsSubscribed = new JsonObject(js.await("SUBSCRIBED ", Duration.ofSeconds(90)));
      assertThat(jsSubscribed.getInteger("ok"))
          .as("wsgrid.js subscribes: %s", jsSubscribed)
          .isEqualTo(CHANNELS);
      System.out.printf(
          "both clients subscribed to %d channels under 50/s, burst 100, in %d ms%n",
          CHANNELS, (System.nanoTime() - started) / 1_000_000);
      assertThat(java.node()).isEqualTo("n1");

      publishToEvery(nodes, channels, 0);
      awaitEveryChannel("before the kill", java, javaReceived, js, channels, 1);

      nodes.process(1).kill(); // kill -9: both clients lose n1 and move to n2
      long killedAt = System.nanoTime();
      publishToEvery(
          nodes, channels, 1); // while they reconnect and resubscribe: recovered from history
      Await.until(
          "the Java client is on n2", Duration.ofSeconds(60), () -> "n2".equals(java.node()));
      js.await("CONNECTED ", Duration.ofSeconds(60), node -> node.contains("n2"));
      publishToEvery(
          nodes, channels,
          2); // after the reconnect: live, or recovered if its resubscribe is still queued
      awaitEveryChannel("after the kill", java, javaReceived, js, channels, 3);
      System.out.printf(
          "after kill -9 of their node both clients had every publication of all %d channels %d ms later%n",
          CHANNELS, (System.nanoTime() - killedAt) / 1_000_000);

      assertThat(javaErrors).as("refusals or 1008 closes the Java client saw").isEmpty();
      assertThat(js.linesStartingWith("ERROR "))
          .as("refusals or 1008 closes wsgrid.js saw")
          .isEmpty();
      assertThat(js.linesStartingWith("RECOVERY_FAILED ")).isEmpty();
      double refused =
          Http.metric(
              nodes.http(2), "wsgrid_rejections_total", "node", "n2", "reason", "rate_limited");
      System.out.printf("requests n2 refused with rate_limited: %.0f%n", refused);
      Await.result(java.close(), Duration.ofSeconds(30));
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  void clientsLeaveAFrozenNodeWithinThePingIntervalPlusTimeout() throws Exception {
    NodeScript.assumeAvailable();
    Duration interval = Duration.ofSeconds(1);
    Duration timeout = Duration.ofSeconds(2);
    Vertx vertx = Vertx.vertx();
    JsonObject jsOptions =
        new JsonObject()
            .put("pingInterval", interval.toMillis())
            .put("pingTimeout", timeout.toMillis());
    try (Nodes nodes = Nodes.start("frozen");
        NodeScript js =
            NodeScript.start("client.js", nodes.http(1), clientConfig(nodes, jsOptions).encode())) {
      String channel = "chat.frozen";
      List<Integer> javaReceived = new CopyOnWriteArrayList<>();
      WsgridClient java =
          Await.result(
              WsgridClient.connect(
                  vertx,
                  nodes.wsUrls(),
                  ClientOptions.defaults()
                      .withBackoff(new Backoff(100, 2_000))
                      .withPing(interval, timeout)),
              Duration.ofSeconds(30));
      Await.result(
          java.subscribe(channel, p -> javaReceived.add(p.getInteger("data"))),
          Duration.ofSeconds(30));
      js.await("STARTED ", Duration.ofSeconds(30));
      js.send(
          new JsonObject().put("cmd", "subscribe").put("channels", new JsonArray().add(channel)));
      js.await("SUBSCRIBED ", Duration.ofSeconds(30));
      assertThat(java.node()).isEqualTo("n1");
      publishToEvery(nodes, List.of(channel), 0);
      awaitEveryChannel(
          "before the freeze", java, Map.of(channel, javaReceived), js, List.of(channel), 1);

      long pid = nodes.process(1).pid();
      signal("STOP", pid);
      long frozenAt = System.nanoTime();
      try {
        Await.until(
            "the Java client left the frozen n1 for n2",
            Duration.ofSeconds(60),
            () -> "n2".equals(java.node()));
        long javaMs = (System.nanoTime() - frozenAt) / 1_000_000;
        js.await("CONNECTED ", Duration.ofSeconds(60), node -> node.contains("n2"));
        long jsMs = (System.nanoTime() - frozenAt) / 1_000_000;
        System.out.printf(
            "n1 frozen (kill -STOP): the Java client was on n2 %d ms later, wsgrid.js %d ms later "
                + "(ping interval %d ms + timeout %d ms)%n",
            javaMs, jsMs, interval.toMillis(), timeout.toMillis());
        // Detection takes interval + timeout; the reconnect a backoff step and a handshake. 5 s of
        // margin for a loaded machine.
        long bound = interval.plus(timeout).plusSeconds(5).toMillis();
        assertThat(javaMs).as("ms until the Java client left the frozen node").isLessThan(bound);
        assertThat(jsMs).as("ms until wsgrid.js left the frozen node").isLessThan(bound);

        // n2 publishes once the cluster has dropped n1 (about 10 s,
        // hazelcast.max.no.heartbeat.seconds).
        publishToEvery(nodes, List.of(channel), 1);
        awaitEveryChannel(
            "after the freeze", java, Map.of(channel, javaReceived), js, List.of(channel), 2);
      } finally {
        signal("CONT", pid);
      }
      Await.result(java.close(), Duration.ofSeconds(30));
    } finally {
      Await.result(vertx.close());
    }
  }

  /** Publishes {@code data} once to every channel through n2's {@code POST /api/publish}. */
  private static void publishToEvery(Nodes nodes, List<String> channels, int data) {
    for (String channel : channels) {
      Http.publish(
          nodes.http(2) + "/api/publish",
          new JsonObject().put("channel", channel).put("data", data));
    }
  }

  /**
   * Waits until both clients have 0 … count-1 on every channel, then checks that nothing came twice
   * or out of order.
   */
  private static void awaitEveryChannel(
      String when,
      WsgridClient java,
      Map<String, List<Integer>> javaReceived,
      NodeScript js,
      List<String> channels,
      int count) {
    List<Integer> expected = IntStream.range(0, count).boxed().toList();
    Await.until(
        "the Java client has " + count + " publications on every channel " + when,
        Duration.ofSeconds(120),
        () -> channels.stream().allMatch(c -> javaReceived.get(c).size() >= count));
    Map<String, List<Integer>> jsReceived = new HashMap<>();
    Await.until(
        "wsgrid.js has " + count + " publications on every channel " + when,
        Duration.ofSeconds(120),
        () -> {
          js.send(new JsonObject().put("cmd", "report"));
          JsonObject received =
              new JsonObject(js.await("REPORT ", Duration.ofSeconds(30))).getJsonObject("received");
          jsReceived.clear();
          received.forEach(
              e ->
                  jsReceived.put(
                      e.getKey(),
                      ((JsonArray) e.getValue()).stream().map(o -> (Integer) o).toList()));
          return channels.stream()
              .allMatch(c -> jsReceived.getOrDefault(c, List.of()).size() >= count);
        });
    for (String channel : channels) {
      assertThat(javaReceived.get(channel))
          .as("Java client, %s %s", channel, when)
          .containsExactlyElementsOf(expected);
      assertThat(jsReceived.get(channel))
          .as("wsgrid.js, %s %s", channel, when)
          .containsExactlyElementsOf(expected);
    }
  }

  private static JsonObject clientConfig(Nodes nodes, JsonObject options) {
    return new JsonObject()
        .put("urls", new JsonArray(nodes.wsUrls()))
        .put("options", options.copy().put("baseDelay", 100).put("maxDelay", 2_000));
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
  }

  /** Two fat-jar nodes n1 and n2 in a cluster of their own. */
  private record Nodes(List<JarProcess> processes, List<Integer> ports) implements AutoCloseable {
    static Nodes start(String test, String... extra) {
      String cluster = Ports.clusterName(test);
      int hzPort = Ports.clusterPort();
      List<JarProcess> processes = new ArrayList<>();
      List<Integer> ports = new ArrayList<>();
      for (int i = 1; i <= 2; i++) {
        int port = Ports.free();
        List<String> args =
            new ArrayList<>(
                List.of(
                    "node",
                    "--name",
                    "n" + i,
                    "--port",
                    "" + port,
                    "--instances",
                    "1",
                    "--cluster-name",
                    cluster,
                    "--cluster-port",
                    "" + hzPort));
        args.addAll(List.of(extra));
        processes.add(JarProcess.start(test + "-n" + i, args.toArray(String[]::new)));
        ports.add(port);
      }
      Nodes nodes = new Nodes(processes, ports);
      for (int i = 1; i <= 2; i++)
        processes.get(i - 1).awaitReady(nodes.http(i) + "/ready", Duration.ofSeconds(120));
      return nodes;
    }

    JarProcess process(int n) {
      return processes.get(n - 1);
    }

    String http(int n) {
      return "http://127.0.0.1:" + ports.get(n - 1);
    }

    List<String> wsUrls() {
      return ports.stream().map(p -> "ws://127.0.0.1:" + p + "/ws").toList();
    }

    @Override
    public void close() {
      processes.forEach(JarProcess::close);
    }
  }
}
