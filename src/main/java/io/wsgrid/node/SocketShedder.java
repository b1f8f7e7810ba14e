package io.wsgrid.node;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.wsgrid.session.LocalSessions;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a node's sockets at a bounded rate (so its clients do not all reconnect in one instant),
 * spread over the node's event loops, logging progress every second: every socket for a drain
 * (1001), or a given number for a rebalance (1012). The first goes at once, then {@code rate} per
 * second (also below 10/s); a drain with a deadline ({@code --drain-timeout}) that the rate would
 * miss closes faster, just enough to finish in time, and says so. Completes when done or when no
 * socket is left.
 */
final class SocketShedder {
  private static final Logger log = LoggerFactory.getLogger(SocketShedder.class);
  private static final long TICK_MS = 100;
  private static final long TICK_NANOS = TICK_MS * 1_000_000;

  /** No deadline: the rate alone paces the closes. */
  static final long NO_DEADLINE = Long.MAX_VALUE;

  private SocketShedder() {}

  /**
   * Closes {@code count} sockets (Long.MAX_VALUE: all) at {@code ratePerSecond}, all of them by
   * {@code deadlineNanos} ({@link System#nanoTime}).
   */
  static Future<Long> shed(
      Vertx vertx,
      List<LocalSessions> loops,
      LongSupplier open,
      long count,
      int ratePerSecond,
      long deadlineNanos,
      WebSocketCloseStatus status,
      String reason,
      String what) {
    Promise<Long> done = Promise.promise();
    AtomicLong closed = new AtomicLong();
    long started = System.nanoTime();
    long[] lastLog = {started};
    int[] first = {0};
    boolean[] hurried = {false};
    // Sockets that may be asked to close now: one at once, then ratePerSecond per second.
    double[] credit = {1};
    log.info(
        "{}: closing {} of {} sockets with {} at up to {}/s",
        what,
        count == Long.MAX_VALUE ? "all" : count,
        open.getAsLong(),
        status.code(),
        ratePerSecond);
    vertx.setPeriodic(
        0,
        TICK_MS,
        timer -> {
          long left = Math.min(count - closed.get(), open.getAsLong());
          long now = System.nanoTime();
          if (left <= 0) {
            vertx.cancelTimer(timer);
            log.info(
                "{}: done, {} sockets closed in {} s",
                what,
                closed.get(),
                String.format("%.1f", (now - started) / 1e9));
            done.tryComplete(closed.get());
            return;
          }
          double perSecond = ratePerSecond;
          if (deadlineNanos != NO_DEADLINE) {
            long timeLeft = deadlineNanos - now;
            if (timeLeft
                < -TICK_NANOS) { // every socket was asked; the rest are in their closing handshakes
              vertx.cancelTimer(timer);
              log.info("{}: every socket asked to close, {} still closing", what, left);
              done.tryComplete(closed.get());
              return;
            }
            perSecond =
                timeLeft < 2 * TICK_NANOS
                    ? Double.POSITIVE_INFINITY
                    : Math.max(ratePerSecond, left * 1e9 / timeLeft);
            if (perSecond > ratePerSecond && !hurried[0]) {
              hurried[0] = true;
              log.warn(
                  "{}: {} sockets at {}/s would take {} s, past the deadline in {} s (--drain-timeout): closing faster, about {}/s",
                  what,
                  left,
                  ratePerSecond,
                  left / ratePerSecond,
                  Math.max(0, timeLeft / 1_000_000_000L),
                  Math.round(Math.min(perSecond, left)));
            }
          }
          credit[0] = Math.min(credit[0] + perSecond * TICK_MS / 1000.0, perSecond + 1);
          long quota = (long) Math.min(left, Math.floor(credit[0]));
          credit[0] -= quota;
          if (quota > 0) {
            long perLoop = Math.max(1, (quota + loops.size() - 1) / loops.size());
            // Start at another event loop each tick: with fewer sockets left than loops, the ones
            // holding them get asked too.
            first[0] = (first[0] + 1) % loops.size();
            for (int k = 0; k < loops.size() && quota > 0; k++) {
              LocalSessions sessions = loops.get((first[0] + k) % loops.size());
              long take = Math.min(perLoop, quota);
              quota -= take;
              sessions
                  .context()
                  .runOnContext(
                      v -> closed.addAndGet(sessions.closeSome((int) take, status, reason)));
            }
          }
          if (now - lastLog[0] >= 1_000_000_000L) {
            lastLog[0] = now;
            log.info(
                "{}: {} sockets left, {} closed ({}/s)",
                what,
                open.getAsLong(),
                closed.get(),
                Math.round(closed.get() / ((now - started) / 1e9)));
          }
        });
    return done.future();
  }
}
