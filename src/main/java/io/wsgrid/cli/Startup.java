package io.wsgrid.cli;

import io.vertx.core.Future;
import io.wsgrid.config.ConfigException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Waits for a process to start serving, turning a failure into one line for the user. */
final class Startup {
  static final long TIMEOUT_SECONDS = 120;

  private Startup() {}

  static <T> T await(Future<T> starting, String what) throws InterruptedException {
    CompletableFuture<T> done = starting.toCompletionStage().toCompletableFuture();
    try {
      return done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new ConfigException(
          what
              + " could not start: "
              + (cause.getMessage() == null ? cause.toString() : cause.getMessage()),
          cause);
    } catch (TimeoutException e) {
      throw new ConfigException(
          what
              + " did not start within "
              + TIMEOUT_SECONDS
              + " s: check that the cluster members in conf/hazelcast.yaml are reachable");
    }
  }

  /**
   * Blocks until the process's role has stopped. SIGTERM is an orderly stop: {@code stop} runs (a
   * node drains, an edge spreads the closes of its tunnels, then either leaves the cluster) and the
   * process exits 0 (not the JVM's 143), so supervisors and Kubernetes see a clean exit. It exits 1
   * with one line saying what was cut short when the stop failed, or when it had not finished
   * within {@code timeoutMs}.
   */
  static void serveUntilStopped(
      Supplier<Future<Void>> stop, Future<Void> stopped, long timeoutMs, String what)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    stopped.onComplete(ar -> done.countDown());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.get();
                  boolean finished = false;
                  try {
                    finished = done.await(timeoutMs, TimeUnit.MILLISECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  int code = 0;
                  if (!finished) {
                    System.err.println(
                        "wsgrid: "
                            + what
                            + " did not stop within "
                            + timeoutMs / 1000
                            + " s; exiting 1 with work left undone");
                    code = 1;
                  } else if (stopped.failed()) {
                    System.err.println(
                        "wsgrid: "
                            + what
                            + " stopped, but "
                            + stopped.cause().getMessage()
                            + "; exiting 1");
                    code = 1;
                  }
                  System.out.flush();
                  System.err.flush();
                  Runtime.getRuntime().halt(code);
                },
                "wsgrid-shutdown"));
    done.await();
  }
}
