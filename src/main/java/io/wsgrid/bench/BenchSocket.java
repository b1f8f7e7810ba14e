package io.wsgrid.bench;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * One load-generator connection: opens through a {@link Wire}, is ready once the server's first
 * frame (wsgrid's {@code connected}, Socket.IO's {@code 40}) arrived, answers Socket.IO pings, and
 * hands publications (their send stamp) and acks (their id) to the scenario. Touched only from its
 * own event loop.
 */
final class BenchSocket {
  private final Wire wire;
  private final Promise<BenchSocket> ready = Promise.promise();
  private final Map<Integer, Promise<Void>> pending = new HashMap<>();
  private ClientWebSocket ws;
  private int nextId = 1;
  private String node;
  private volatile boolean closed;
  private Context context;
  LongConsumer onPublication = stamp -> {};
  LongConsumer onAck = id -> {};
  Runnable onError = () -> {};

  private BenchSocket(Wire wire) {
    this.wire = wire;
  }

  /** Opens a socket to {@code url}; completes once the server said it is ready. */
  static Future<BenchSocket> open(WebSocketClient client, Wire wire, String url, int timeoutMs) {
    BenchSocket socket = new BenchSocket(wire);
    socket.context = Vertx.currentContext();
    socket.ws = client.webSocket();
    socket.ws.textMessageHandler(socket::onText);
    socket.ws.closeHandler(
        v -> {
          socket.closed = true;
          socket.ready.tryFail(
              "closed by the server before it was ready ("
                  + socket.ws.closeStatusCode()
                  + " "
                  + socket.ws.closeReason()
                  + ")");
        });
    socket.ws.exceptionHandler(e -> socket.ready.tryFail(e));
    socket
        .ws
        .connect(new WebSocketConnectOptions().setAbsoluteURI(wire.url(url)).setTimeout(timeoutMs))
        .onSuccess(
            v -> {
              ChannelHandlerContext vertxHandler =
                  ((WebSocketInternal) socket.ws).channelHandlerContext();
              vertxHandler
                  .pipeline()
                  .addBefore(
                      vertxHandler.name(),
                      PublicationTap.NAME,
                      new PublicationTap(wire, stamp -> socket.onPublication.accept(stamp)));
              String hello = wire.hello();
              if (hello != null) socket.ws.writeTextMessage(hello);
            })
        .onFailure(socket.ready::tryFail);
    return socket.ready.future();
  }

  private void onText(String text) {
    String answer = wire.answer(text);
    if (answer != null) {
      ws.writeTextMessage(answer);
      return;
    }
    Wire.Frame frame = wire.read(text);
    switch (frame.kind()) {
      case PUBLICATION -> onPublication.accept(frame.value());
      case ACK -> {
        Promise<Void> waiting = pending.remove((int) frame.value());
        if (waiting != null) waiting.complete();
        else onAck.accept(frame.value());
      }
      case READY -> {
        int at = text.indexOf("\"node\":\"");
        if (at >= 0) node = text.substring(at + 8, text.indexOf('"', at + 8));
        ready.tryComplete(this);
      }
      case ERROR -> {
        Promise<Void> waiting = frame.value() >= 0 ? pending.remove((int) frame.value()) : null;
        if (waiting != null) waiting.fail("refused: " + text);
        else onError.run();
      }
      case OTHER -> {}
    }
  }

  /** Subscribes; completes on the server's ack. */
  Future<Void> subscribe(String channel) {
    return request(id -> wire.subscribe(id, channel));
  }

  /** Unsubscribes; completes on the server's ack. */
  Future<Void> unsubscribe(String channel) {
    return request(id -> wire.unsubscribe(id, channel));
  }

  private Future<Void> request(java.util.function.IntFunction<String> frame) {
    Promise<Void> acked = Promise.promise();
    int id = nextId++;
    pending.put(id, acked);
    ws.writeTextMessage(frame.apply(id));
    return acked.future();
  }

  /** Publishes without waiting; the ack arrives at {@link #onAck} with the returned id. */
  int publish(String channel, String body) {
    int id = nextId++;
    ws.writeTextMessage(wire.publish(id, channel, body));
    return id;
  }

  boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  /** The node that served the socket (wsgrid's {@code connected} frame), or null. */
  String node() {
    return node;
  }

  boolean isClosed() {
    return closed || ws.isClosed();
  }

  /** The event loop the socket lives on (where timers that write to it must run). */
  Context context() {
    return context;
  }

  Future<Void> close() {
    return closed ? Future.succeededFuture() : ws.close();
  }
}
