package io.wsgrid.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Node.js script from {@code src/test/js} (wsgrid.js run with the {@code ws} package), its output
 * read line by line, commands written to its stdin. Destroyed by its own pid on close.
 */
public final class NodeScript implements AutoCloseable {
  private final Process process;

  /** Every line the script printed, in order; guarded by itself. */
  private final List<String> lines = new ArrayList<>();

  /** Where the next {@link #await} starts reading. */
  private int next;

  private NodeScript(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                  }
                }
              } catch (IOException ignored) {
                // the process ended
              }
            },
            "node-script-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Skips the test, saying what to install, where Node.js or the {@code ws} package is missing;
   * under CI (the {@code CI} environment variable, set by {@code .ci/run}) fails instead.
   */
  public static void assumeAvailable() {
    String missing =
        !new File("src/test/js/node_modules/ws").isDirectory()
            ? "Node.js package ws missing: run `npm install --prefix src/test/js` (.ci/run does)"
            : !commandExists("node")
                ? "Node.js missing: install nodejs to run the wsgrid.js tests"
                : null;
    if (missing != null && System.getenv("CI") != null) fail(missing);
    assumeTrue(missing == null, missing);
  }

  /** {@code node --unhandled-rejections=strict src/test/js/<script> <args>}. */
  public static NodeScript start(String script, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(List.of("node", "--unhandled-rejections=strict", "src/test/js/" + script));
    command.addAll(List.of(args));
    return new NodeScript(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** Writes one JSON command line to the script's stdin. */
  public void send(JsonObject command) {
    try {
      OutputStream in = process.getOutputStream();
      in.write((command.encode() + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new AssertionError("the Node.js script is gone: " + e + "\n" + output(), e);
    }
  }

  /**
   * The next line starting with {@code prefix}, without the prefix; fails after the timeout with
   * what the script printed.
   */
  public String await(String prefix, Duration timeout) {
    return await(prefix, timeout, rest -> true);
  }

  /**
   * The next line starting with {@code prefix} whose rest matches; the lines before it are passed
   * over.
   */
  public String await(String prefix, Duration timeout, Predicate<String> matches) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        while (next < lines.size()) {
          String line = lines.get(next++);
          if (line.startsWith("FAILED "))
            throw new AssertionError("the Node.js script failed: " + line);
          if (line.startsWith(prefix) && matches.test(line.substring(prefix.length())))
            return line.substring(prefix.length());
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError(
              "the Node.js script printed no "
                  + prefix
                  + " line within "
                  + timeout
                  + "; it printed:\n"
                  + output());
        }
        if (!process.isAlive()) {
          throw new AssertionError(
              "the Node.js script exited with "
                  + process.exitValue()
                  + " before printing "
                  + prefix
                  + "; it printed:\n"
                  + output());
        }
        try {
          lines.wait(Math.min(left, 200));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** Every line printed so far (the last 200). */
  public String output() {
    synchronized (lines) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
    }
  }

  /** The lines printed so far that start with {@code prefix}. */
  public List<String> linesStartingWith(String prefix) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
  }

  private static boolean commandExists(String command) {
    try {
      return new ProcessBuilder(command, "--version").start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
