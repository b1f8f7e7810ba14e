package io.wsgrid.node;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.wsgrid.session.LocalHub;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a node's sockets at a bounded rate (so its clients do not all reconnect in one instant),
 * spread over the node's event loops, logging progress every second: every socket for a drain
 * (1001), or a given number for a rebalance (1012). Completes when done or when no socket is left.
 */
final class SocketShedder {
  private static final Logger log = LoggerFactory.getLogger(SocketShedder.class);
  private static final long TICK_MS = 100;

  private SocketShedder() {}

  static Future<Long> shed(Vertx vertx, List<LocalHub> hubs, LongSupplier open, long count, int ratePerSecond,
      short code, String reason, String what) {
    Promise<Long> done = Promise.promise();
    int perTick = Math.max(1, (int) Math.ceil(ratePerSecond * TICK_MS / 1000.0));
    AtomicLong closed = new AtomicLong();
    long started = System.nanoTime();
    long[] lastLog = {started};
    int[] first = {0};
    log.info("{}: closing {} of {} sockets with {} at up to {}/s", what, count == Long.MAX_VALUE ? "all" : count,
        open.getAsLong(), code, ratePerSecond);
    vertx.setPeriodic(0, TICK_MS, timer -> {
      long left = Math.min(count - closed.get(), open.getAsLong());
      if (left <= 0) {
        vertx.cancelTimer(timer);
        double seconds = (System.nanoTime() - started) / 1e9;
        log.info("{}: done, {} sockets closed in {} s", what, closed.get(), String.format("%.1f", seconds));
        done.tryComplete(closed.get());
        return;
      }
      long quota = Math.min(perTick, left);
      long perHub = Math.max(1, (quota + hubs.size() - 1) / hubs.size());
      // Start at another hub each tick: with fewer sockets left than hubs, the ones holding them get asked too.
      first[0] = (first[0] + 1) % hubs.size();
      for (int k = 0; k < hubs.size(); k++) {
        LocalHub hub = hubs.get((first[0] + k) % hubs.size());
        if (quota <= 0) break;
        long take = Math.min(perHub, quota);
        quota -= take;
        hub.context().runOnContext(v -> closed.addAndGet(hub.closeSome((int) take, code, reason)));
      }
      long now = System.nanoTime();
      if (now - lastLog[0] >= 1_000_000_000L) {
        lastLog[0] = now;
        log.info("{}: {} sockets left, {} closed ({}/s)", what, open.getAsLong(), closed.get(),
            Math.round(closed.get() / ((now - started) / 1e9)));
      }
    });
    return done.future();
  }
}
