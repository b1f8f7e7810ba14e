package io.wsgrid.edge;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's open tunnels, and how a stopping edge closes them: spread evenly over {@code
 * --close-spread-time} (as HAProxy's {@code close-spread-time}), so its clients reconnect through
 * the other edges a share at a time instead of all in the same second. Each tunnel closes the way a
 * client would ({@link ClientToNode}: a close frame to the node at a message boundary, whose
 * answer, 1001 and the reason, reaches the client after everything the node sent), or is cut after
 * {@link #CLOSE_WAIT_MS} when that does not finish. Once closing began, new sockets are refused.
 */
final class Tunnels {
  static final long CLOSE_WAIT_MS = 5_000;
  static final short GOING_AWAY = (short) WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code();
  static final String REASON = "edge restarting; reconnect";
  private static final long TICK_MS = 100;
  private static final Logger log = LoggerFactory.getLogger(Tunnels.class);

  /**
   * One open tunnel: the client's socket and the node's, spliced on the event loop of {@code
   * context}.
   */
  static final class Tunnel {
    private final NetSocket client;
    private final NetSocket node;

    /** Null when the sockets are piped by Vert.x instead of spliced: closing then cuts both. */
    private final ClientToNode frames;

    private final Context context;
    private volatile boolean asked;
    private long timer = -1;

    Tunnel(NetSocket client, NetSocket node, ClientToNode frames, Context context) {
      this.client = client;
      this.node = node;
      this.frames = frames;
      this.context = context;
    }

    private void close(Vertx vertx) {
      asked = true;
      context.runOnContext(
          v -> {
            if (frames != null) {
              frames.close(GOING_AWAY, REASON);
            } else {
              node.close();
            }
            timer =
                vertx.setTimer(
                    CLOSE_WAIT_MS,
                    t -> {
                      node.close();
                      client.close();
                    });
          });
    }
  }

  private final Vertx vertx;
  private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  Tunnels(Vertx vertx) {
    this.vertx = vertx;
  }

  /** False once the edge is stopping: new sockets are refused. */
  boolean accepting() {
    return !closing;
  }

  /** A tunnel opened, on its event loop ({@code context}). */
  Tunnel opened(NetSocket client, NetSocket node, ClientToNode frames, Context context) {
    Tunnel tunnel = new Tunnel(client, node, frames, context);
    open.add(tunnel);
    return tunnel;
  }

  /** The tunnel's client socket closed (the last of the two): on its event loop. */
  void closed(Tunnel tunnel) {
    if (open.remove(tunnel) && tunnel.timer >= 0) vertx.cancelTimer(tunnel.timer);
  }

  int size() {
    return open.size();
  }

  /**
   * Refuses new sockets from now on and closes every open one, evenly spread over {@code spreadMs}
   * (0: all at once), logging progress every second. Completes once every tunnel has closed; fails,
   * saying how many are left, when some did not within the spread and {@link #CLOSE_WAIT_MS} more.
   */
  Future<Void> closeAll(long spreadMs, String edge) {
    closing = true;
    List<Tunnel> order = new ArrayList<>(open);
    Collections.shuffle(order);
    int total = order.size();
    long started = System.nanoTime();
    long[] lastLog = {started};
    int[] next = {0};
    Promise<Void> done = Promise.promise();
    log.info(
        "edge {}: closing {} tunnels with {} over {} s (--close-spread-time), about {}/s",
        edge,
        total,
        GOING_AWAY,
        spreadMs / 1000.0,
        spreadMs == 0 ? total : Math.round(total * 1000.0 / spreadMs));
    // Set from the event loop that runs it: a timer set from another thread (the shutdown hook)
    // with
    // no delay can fire before setPeriodic returns, and then cannot be cancelled from its handler
    // (Vert.x throws), so with no tunnel open the stop never went on.
    vertx
        .getOrCreateContext()
        .runOnContext(
            start ->
                vertx.setPeriodic(
                    0,
                    TICK_MS,
                    timer -> {
                      long now = System.nanoTime();
                      long elapsedMs = (now - started) / 1_000_000;
                      long due =
                          spreadMs <= 0 || elapsedMs >= spreadMs
                              ? total
                              : (long) Math.ceil((double) total * elapsedMs / spreadMs);
                      while (next[0] < due) {
                        Tunnel tunnel = order.get(next[0]++);
                        if (open.contains(tunnel)) tunnel.close(vertx);
                      }
                      if (next[0] == total) {
                        // Sockets whose handshake was under way when closing began opened since:
                        // close them too.
                        for (Tunnel tunnel : open) if (!tunnel.asked) tunnel.close(vertx);
                      }
                      if (now - lastLog[0] >= 1_000_000_000L) {
                        lastLog[0] = now;
                        log.info(
                            "edge {}: {} of {} tunnels asked to close, {} open ({} s of {} s)",
                            edge,
                            next[0],
                            total,
                            open.size(),
                            elapsedMs / 1000,
                            spreadMs / 1000.0);
                      }
                      if (open.isEmpty()) { // every tunnel closed (those not asked yet by their own
                        // side)
                        vertx.cancelTimer(timer);
                        log.info(
                            "edge {}: all {} tunnels closed in {} s ({} asked)",
                            edge,
                            total,
                            String.format("%.1f", (now - started) / 1e9),
                            next[0]);
                        done.tryComplete();
                      } else if (elapsedMs
                          > spreadMs + CLOSE_WAIT_MS + WebSocketTunnel.LINGER_MS + 1_000) {
                        vertx.cancelTimer(timer);
                        done.tryFail(
                            open.size()
                                + " tunnels still open "
                                + elapsedMs / 1000
                                + " s after closing began");
                      }
                    }));
    return done.future();
  }
}
