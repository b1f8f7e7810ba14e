package io.wsgrid.cli;

import io.vertx.core.Future;
import io.wsgrid.config.ConfigException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.TimeoutException;

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
      throw new ConfigException(what + " could not start: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
    } catch (TimeoutException e) {
      throw new ConfigException(what + " did not start within " + TIMEOUT_SECONDS
          + " s: check that the cluster members in conf/hazelcast.yaml are reachable");
    }
  }

  /**
   * Blocks until the process's role has stopped. SIGTERM is an orderly stop: {@code stop} runs
   * (sockets closed, cluster left) and the process exits 0 (not the JVM's 143), so supervisors
   * and Kubernetes see a clean exit; 1 when it did not stop within 20 s.
   */
  static void serveUntilStopped(Supplier<Future<Void>> stop, Future<Void> stopped) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    stopped.onComplete(ar -> done.countDown());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.get();
      boolean clean = false;
      try {
        clean = done.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.out.flush();
      Runtime.getRuntime().halt(clean ? 0 : 1);
    }, "wsgrid-shutdown"));
    done.await();
  }
}
