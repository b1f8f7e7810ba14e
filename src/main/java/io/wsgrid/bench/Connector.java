package io.wsgrid.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Recorder;

/**
 * Opens many sockets with at most {@code concurrency} handshakes in flight, spreading them over
 * every event loop of the load generator and their source addresses over {@code sources}
 * (127.0.0.2…127.0.0.x) so one target can take more sockets than one address has ephemeral ports.
 * Records each handshake (open → server ready) in microseconds.
 */
final class Connector {
  private final Vertx vertx;
  private final Wire wire;
  private final List<WebSocketClient> clients = new ArrayList<>();

  /** One context per event loop: a socket lives on the loop of the context that opened it. */
  private final EventLoops loops;

  final Recorder handshakes = new Recorder(3);
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  private volatile String lastFailureMessage = "";

  Connector(Vertx vertx, Wire wire, int sources) {
    this.vertx = vertx;
    this.wire = wire;
    this.loops = EventLoops.deploy(vertx);
    for (int i = 0; i < Math.max(1, sources); i++) {
      WebSocketClientOptions options =
          new WebSocketClientOptions()
              .setMaxConnections(1_000_000)
              .setConnectTimeout(10_000)
              .setMaxFrameSize(1 << 20)
              .setMaxMessageSize(1 << 20)
              .setTcpNoDelay(true);
      if (sources > 1) options.setLocalAddress("127.0.0." + (2 + i));
      clients.add(vertx.createWebSocketClient(options));
    }
  }

  /** Opens {@code count} sockets to {@code urls} (round robin); fails only if every one failed. */
  Future<List<BenchSocket>> open(List<String> urls, int count, int concurrency) {
    List<BenchSocket> sockets = Collections.synchronizedList(new ArrayList<>(count));
    Promise<List<BenchSocket>> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    if (count == 0) return Future.succeededFuture(sockets);
    Runnable[] launch = new Runnable[1];
    launch[0] =
        () -> {
          int i = next.getAndIncrement();
          if (i >= count) return;
          long started = System.nanoTime();
          WebSocketClient client = clients.get(i % clients.size());
          BenchSocket.open(client, wire, urls.get(i % urls.size()), 10_000)
              .onComplete(
                  ar -> {
                    if (ar.succeeded()) {
                      handshakes.recordValue(Math.max(1, (System.nanoTime() - started) / 1_000));
                      opened.incrementAndGet();
                      sockets.add(ar.result());
                    } else {
                      failed.incrementAndGet();
                      lastFailureMessage = String.valueOf(ar.cause().getMessage());
                    }
                    if (finished.incrementAndGet() == count) {
                      if (sockets.isEmpty())
                        done.fail("no socket opened; last error: " + lastFailureMessage);
                      else done.complete(sockets);
                    } else {
                      launch[0].run();
                    }
                  });
        };
    // Spread the first handshakes over the event loops; each completion starts the next one on its
    // loop. (vertx.runOnContext from this thread would put every socket on one loop: Vert.x 5
    // gives a thread outside Vert.x one sticky event loop.)
    for (int k = 0; k < Math.min(concurrency, count); k++)
      loops.contexts.get(k % loops.contexts.size()).runOnContext(v -> launch[0].run());
    return done.future();
  }

  String lastFailure() {
    return lastFailureMessage;
  }

  Future<Void> closeAll(List<BenchSocket> sockets) {
    List<Future<Void>> closing = new ArrayList<>();
    synchronized (sockets) {
      for (BenchSocket socket : sockets)
        closing.add(socket.close().recover(e -> Future.succeededFuture()));
    }
    return Future.join(closing).mapEmpty();
  }

  Future<Void> close() {
    return Future.join(clients.stream().map(WebSocketClient::close).toList())
        .compose(v -> loops.close());
  }
}
