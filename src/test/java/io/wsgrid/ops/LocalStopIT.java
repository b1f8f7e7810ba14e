package io.wsgrid.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An operator's first minute with {@code local} from the fat jar: the startup wait prints a status
 * line only when it changes or every few seconds (its output is a file here, not a terminal), no
 * process prints Micrometer's "already registered" warning however many connections it takes, and
 * Ctrl-C (SIGINT to {@code local}) ends every child within 5 s, saying what it waits for.
 */
class LocalStopIT {
  private static final Duration STOP_LIMIT = Duration.ofSeconds(5);

  @Test
  void sigintStopsEveryChildWithinFiveSeconds() throws Exception {
    int port = Ports.freeRange(4);
    // A JVM run from a background job of a non-interactive shell (as CI may run this) ignores
    // SIGINT, and so would local: `env --default-signal=INT` gives it the default, as a terminal
    // would.
    try (JarProcess local =
        JarProcess.start(
            "local-stop",
            List.of("env", "--default-signal=INT"),
            null,
            "local",
            "--nodes",
            "3",
            "--port",
            "" + port,
            "--cluster-name",
            Ports.clusterName("local-stop"),
            "--cluster-port",
            "" + Ports.clusterPort())) {
      Await.until(
          "local prints that the cluster is up",
          Duration.ofSeconds(180),
          () -> {
            if (!local.process().isAlive())
              throw new AssertionError("local exited:\n" + local.log());
            return local.log().contains("Ctrl-C stops them all");
          });
      String startup = local.log();
      Matcher ready = Pattern.compile("\\[local] all 4 ready in (\\d+) s").matcher(startup);
      assertThat(ready.find()).as("the ready line in:\n" + startup).isTrue();
      long seconds = Long.parseLong(ready.group(1));
      long statusLines = startup.lines().filter(l -> l.startsWith("[local] waiting for")).count();
      // At most one line per change of who is still starting (4 children: at most 4 changes after
      // the first line) plus one every 5 s: not one a second.
      assertThat(statusLines)
          .as("status lines over a %d s start:\n%s", seconds, startup)
          .isLessThanOrEqualTo(5 + seconds / 5 + 1);

      // Each process serves several connections: Micrometer used to warn at a server's second one.
      for (int p = port; p <= port + 3; p++) {
        for (int i = 0; i < 3; i++) assertThat(get(p, "/health")).startsWith("HTTP/1.1 200");
      }

      List<ProcessHandle> children = local.process().descendants().toList();
      assertThat(children).as("the edge and three nodes").hasSize(4);
      assertSigintReaches(local.process().toHandle());
      long sent = System.nanoTime();
      new ProcessBuilder("kill", "-INT", String.valueOf(local.pid())).inheritIO().start().waitFor();
      for (ProcessHandle child : children) {
        Duration left = STOP_LIMIT.minusNanos(System.nanoTime() - sent);
        Await.until(
            "child "
                + child.pid()
                + " "
                + child.info().arguments().map(a -> String.join(" ", a)).orElse("")
                + " to exit within "
                + STOP_LIMIT
                + " of SIGINT; local's output:\n"
                + local.log(),
            left.isNegative() ? Duration.ZERO : left,
            () -> !child.isAlive());
      }
      long stopMs = (System.nanoTime() - sent) / 1_000_000;
      local.await(Duration.ofSeconds(10));
      String log = local.log();
      System.out.println("local: all 4 children exited " + stopMs + " ms after SIGINT");
      assertThat(log)
          .contains("[local] stopping edge, n1, n2, n3")
          .containsPattern("\\[local] stopped in [0-9.]+ s")
          .contains("node n1 stopped", "node n2 stopped", "node n3 stopped", "edge edge stopped")
          .doesNotContain("already registered");
    }
  }

  /** The process handles SIGINT (it is not ignored: see the start above). */
  private static void assertSigintReaches(ProcessHandle process) throws IOException {
    Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
    if (!Files.isReadable(status)) return;
    boolean ignored =
        Files.readAllLines(status).stream()
            .filter(l -> l.startsWith("SigIgn:"))
            .map(l -> Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16))
            .anyMatch(mask -> (mask & 2) != 0);
    assertThat(ignored).as("local ignores SIGINT despite env --default-signal=INT").isFalse();
  }

  /** One GET on a connection of its own; returns the status line. */
  private static String get(int port, String path) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      return response.lines().findFirst().orElse("");
    }
  }
}
