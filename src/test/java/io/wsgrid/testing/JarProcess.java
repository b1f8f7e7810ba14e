package io.wsgrid.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A wsgrid process started from the real fat jar ({@code -Dwsgrid.jar}, set by failsafe); its
 * output goes to {@code target/it-logs/<name>.log}. Stopped by its own pid only.
 */
public final class JarProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String name;
  private final Process process;
  private final Path log;

  private JarProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public static String jar() {
    String jar = System.getProperty("wsgrid.jar", "target/wsgrid.jar");
    if (!new File(jar).isFile()) {
      throw new IllegalStateException(
          jar + " is missing: run `mvn -B verify` (the jar is built in the package phase)");
    }
    return jar;
  }

  /** Starts {@code java -jar wsgrid.jar <args>}. */
  public static JarProcess start(String name, String... args) {
    return start(name, List.of(), null, args);
  }

  /**
   * Starts {@code <prefix> java -jar wsgrid.jar <args>} (a prefix such as {@code prlimit
   * --nofile=2048}, which runs the JVM itself, so the pid stays the JVM's) in the working directory
   * {@code dir} (null: this one).
   */
  public static JarProcess start(String name, List<String> prefix, Path dir, String... args) {
    try {
      Path logs = Path.of("target", "it-logs").toAbsolutePath();
      Files.createDirectories(logs);
      Path log = logs.resolve(name + ".log");
      List<String> command = new ArrayList<>(prefix);
      command.addAll(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m",
              "-XX:+UseSerialGC"));
      command.addAll(jvmOptions());
      command.addAll(List.of("-jar", Path.of(jar()).toAbsolutePath().toString()));
      command.addAll(List.of(args));
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      if (dir != null) builder.directory(dir.toFile());
      Process process = builder.start();
      return new JarProcess(name, process, log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name, e);
    }
  }

  /**
   * Extra JVM options for every process, from {@code -Dwsgrid.it.jvm-options="…"}
   * (space-separated), e.g. {@code -Dlogback.configurationFile=/tmp/debug-logback.xml} to see
   * Hazelcast's INFO lines when a test fails.
   */
  private static List<String> jvmOptions() {
    String options = System.getProperty("wsgrid.it.jvm-options", "").strip();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** Waits until GET url answers 200. */
  public void awaitReady(String url, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive())
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + log());
      if (status(url) == 200) return;
      sleep(200);
    }
    throw new AssertionError(name + " not ready at " + url + " within " + timeout + ":\n" + log());
  }

  /**
   * Waits until the process has logged {@code text} (for endpoints a plain HTTP probe cannot reach,
   * like TLS ones).
   */
  public void awaitLog(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (log().contains(text)) return;
      if (!process.isAlive())
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + log());
      sleep(200);
    }
    throw new AssertionError(
        name + " did not log '" + text + "' within " + timeout + ":\n" + log());
  }

  public static int status(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * The value of the one sample of a metric in {@code base}/metrics (see {@link
   * PrometheusSamples#value}); NaN when absent or not answering.
   */
  public static double metric(String base, String name) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? PrometheusSamples.value(response.body(), name)
          : Double.NaN;
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /** SIGTERM, then waits; returns the exit code. */
  public int stop(Duration timeout) {
    process.destroy();
    return await(timeout);
  }

  /** SIGKILL (kill -9). */
  public void kill() {
    process.destroyForcibly();
    await(Duration.ofSeconds(10));
  }

  public int await(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " did not exit within " + timeout + ":\n" + log());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
