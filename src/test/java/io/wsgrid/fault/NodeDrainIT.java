package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import io.wsgrid.testing.RawWebSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM's drain uses the time it is given ({@code --drain-timeout}, 80 s by default for the
 * manifests' 90 s grace period): a drain longer than the 20 s the process used to allow finishes
 * and exits 0; one that cannot fit speeds up, and exits 1 with a line saying what was cut only when
 * sockets were still open at the end.
 */
class NodeDrainIT {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private static JarProcess node(String name, int port, String... options) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "node",
                "--port",
                "" + port,
                "--name",
                name,
                "--instances",
                "1",
                "--cluster-name",
                Ports.clusterName(name),
                "--cluster-port",
                "" + Ports.clusterPort()));
    args.addAll(List.of(options));
    JarProcess node = JarProcess.start(name, args.toArray(String[]::new));
    node.awaitReady("http://127.0.0.1:" + port + "/ready", Duration.ofSeconds(120));
    return node;
  }

  /**
   * SIGTERM; the process must exit with {@code exit} within {@code timeout}. Returns the seconds it
   * took.
   */
  private static double sigterm(JarProcess node, int exit, Duration timeout) {
    long sent = System.nanoTime();
    node.process().destroy();
    assertThat(node.await(timeout)).as("exit code; log:%n%s", node.log()).isEqualTo(exit);
    return (System.nanoTime() - sent) / 1e9;
  }

  /**
   * 25 sockets at --drain-rate 1 take ~24 s: past the old 20 s cut, well within the default
   * timeout.
   */
  @Test
  void aDrainLongerThanTwentySecondsFinishesAndExitsZero() {
    int port = Ports.free();
    try (JarProcess node = node("drain-slow", port, "--drain-rate", "1");
        Crowd crowd = new Crowd(vertx)) {
      List<Crowd.Member> members =
          crowd.open(List.of("ws://127.0.0.1:" + port + "/ws"), 25, 5, Duration.ofSeconds(60));
      double seconds = sigterm(node, 0, Duration.ofSeconds(70));
      System.out.printf("drain of 25 sockets at 1/s: exited 0 after %.1f s%n", seconds);
      assertThat(seconds).isGreaterThan(20);
      assertThat(members)
          .allSatisfy(
              m -> {
                assertThat(m.closed()).isTrue();
                assertThat(m.closeCode).isEqualTo((short) 1001);
              });
      double firstToLast =
          (members.stream().mapToLong(m -> m.closedAtNanos).max().orElseThrow()
                  - members.stream().mapToLong(m -> m.closedAtNanos).min().orElseThrow())
              / 1e9;
      assertThat(firstToLast).as("at 1/s, 25 closes span ~24 s").isGreaterThan(18);
      assertThat(node.log())
          .contains("within 80 s (--drain-timeout)")
          .contains("sockets left")
          .contains("done, 25 sockets closed")
          .doesNotContain("closing faster");
    }
  }

  /**
   * A drain that the rate would not finish in time closes faster, and a client that never answers
   * the close handshake is what gets cut: exit 1, with one line saying so.
   */
  @Test
  void aDrainThatCannotFitClosesFasterAndSaysWhatItCut() throws Exception {
    int port = Ports.free();
    try (JarProcess node = node("drain-short", port, "--drain-rate", "1", "--drain-timeout", "8");
        Crowd crowd = new Crowd(vertx);
        RawWebSocket deaf = RawWebSocket.connect("127.0.0.1", port, "/ws", 65536)) {
      assertThat(deaf.readFrame().text()).contains("connected");
      List<Crowd.Member> members =
          crowd.open(List.of("ws://127.0.0.1:" + port + "/ws"), 25, 5, Duration.ofSeconds(60));
      double seconds = sigterm(node, 1, Duration.ofSeconds(30));
      System.out.printf("drain of 26 sockets at 1/s within 8 s: exited 1 after %.1f s%n", seconds);
      assertThat(seconds).isLessThan(15);
      assertThat(members).allSatisfy(m -> assertThat(m.closeCode).isEqualTo((short) 1001));
      assertThat(node.log())
          .contains("closing faster")
          .contains("the drain was cut short: 1 sockets were still open after --drain-timeout 8 s");
    }
  }
}
