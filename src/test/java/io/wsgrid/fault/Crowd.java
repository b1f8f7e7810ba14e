package io.wsgrid.fault;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Many real WebSocket clients on one Vert.x client: opened with a bounded number of handshakes in
 * flight, each remembering the node its {@code connected} frame named and when and how the server
 * closed it.
 */
final class Crowd implements AutoCloseable {
  /** One client socket. */
  static final class Member {
    final ClientWebSocket socket;
    volatile String node;
    volatile long closedAtNanos;
    volatile short closeCode = -1;
    volatile String closeReason;

    Member(ClientWebSocket socket) {
      this.socket = socket;
    }

    boolean closed() {
      return closedAtNanos != 0;
    }

    @Override
    public String toString() {
      return "socket on "
          + node
          + (closed() ? ", closed " + closeCode + " '" + closeReason + "'" : ", open");
    }
  }

  private final WebSocketClient client;
  private final List<Member> members = Collections.synchronizedList(new ArrayList<>());

  Crowd(Vertx vertx) {
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(100_000)
                .setConnectTimeout(20_000)
                .setClosingTimeout(5));
  }

  /**
   * Opens {@code count} sockets, the i-th to {@code urls[i % urls.size()]}, at most {@code
   * concurrency} at once.
   */
  List<Member> open(List<String> urls, int count, int concurrency, Duration timeout) {
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    List<Member> opened = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    Runnable[] launch = new Runnable[1];
    launch[0] =
        () -> {
          int i = next.getAndIncrement();
          if (i >= count) return;
          connect(urls.get(i % urls.size()))
              .onComplete(
                  ar -> {
                    if (ar.succeeded()) opened.add(ar.result());
                    else failures.add(ar.cause());
                    if (finished.incrementAndGet() == count) done.complete();
                    else launch[0].run();
                  });
        };
    for (int k = 0; k < Math.min(concurrency, count); k++) launch[0].run();
    Await.result(done.future(), timeout);
    if (!failures.isEmpty()) {
      throw new AssertionError(
          failures.size() + " of " + count + " sockets failed to open; first: " + failures.get(0));
    }
    return opened;
  }

  /** Opens one socket and waits for its {@code connected} frame. */
  Future<Member> connect(String url) {
    URI uri = URI.create(url);
    ClientWebSocket ws = client.webSocket();
    Member member = new Member(ws);
    Promise<Member> connected = Promise.promise();
    ws.textMessageHandler(
        text -> {
          if (member.node == null) {
            member.node = new JsonObject(text).getString("node");
            connected.tryComplete(member);
          }
        });
    ws.closeHandler(
        v -> {
          member.closeCode = ws.closeStatusCode() == null ? -1 : ws.closeStatusCode();
          member.closeReason = ws.closeReason();
          member.closedAtNanos = System.nanoTime();
          connected.tryFail("closed before its connected frame");
        });
    ws.connect(
            new WebSocketConnectOptions()
                .setHost(uri.getHost())
                .setPort(uri.getPort())
                .setURI(uri.getRawPath()))
        .onFailure(connected::tryFail);
    members.add(member);
    return connected.future();
  }

  /** Sockets per node, by the {@code connected} frames. */
  static Map<String, Long> perNode(List<Member> members) {
    return members.stream()
        .collect(Collectors.groupingBy(m -> m.node, TreeMap::new, Collectors.counting()));
  }

  @Override
  public void close() {
    for (Member member : List.copyOf(members)) {
      if (!member.closed()) member.socket.close();
    }
    Await.result(client.close(), Duration.ofSeconds(30));
  }
}
