package io.wsgrid.bench;

import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** A progress line on stderr once a second while a scenario runs. */
final class Progress implements AutoCloseable {
  private final Vertx vertx;
  private final long timer;
  private final long started = System.nanoTime();

  Progress(Vertx vertx, String what, Supplier<String> line) {
    this.vertx = vertx;
    this.timer =
        vertx.setPeriodic(
            1_000,
            id ->
                System.err.printf(
                    "  [%s %4.0fs] %s%n", what, (System.nanoTime() - started) / 1e9, line.get()));
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
