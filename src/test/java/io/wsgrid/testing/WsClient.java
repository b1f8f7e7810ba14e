package io.wsgrid.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests: collects every text frame as JSON, records the close code and
 * reason, and offers blocking waits (for the test thread, never an event loop).
 */
public final class WsClient implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(15);

  private final WebSocket socket;
  private final WebSocketClient client;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final JsonObject connected;

  private WsClient(WebSocketClient client, WebSocketConnectOptions options) {
    this.client = client;
    // Handlers are in place before the connection exists, so no frame can come before them.
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
    Await.result(ws.connect(options));
    this.socket = ws;
    this.connected = next();
  }

  /** Connects to a ws:// URL and waits for the {@code connected} frame. */
  public static WsClient connect(Vertx vertx, String url) {
    URI uri = URI.create(url);
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxFrameSize(4 * 1024 * 1024)
                .setMaxMessageSize(16 * 1024 * 1024));
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(uri.getHost())
            .setPort(uri.getPort())
            .setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    return new WsClient(client, options);
  }

  public JsonObject connectedFrame() {
    return connected;
  }

  public String node() {
    return connected.getString("node");
  }

  public WebSocket socket() {
    return socket;
  }

  public void sendText(String text) {
    Await.result(socket.writeTextMessage(text));
  }

  public void send(JsonObject request) {
    sendText(request.encode());
  }

  /** Sends a request with a fresh id and returns its reply (skipping publications). */
  public JsonObject request(JsonObject request) {
    int id = nextId.getAndIncrement();
    send(request.copy().put("id", id));
    return nextMatching(f -> Integer.valueOf(id).equals(f.getValue("id")));
  }

  public JsonObject subscribe(String channel) {
    JsonObject reply = request(new JsonObject().put("op", "subscribe").put("channel", channel));
    if (!reply.getBoolean("ok", false)) throw new AssertionError("subscribe failed: " + reply);
    return reply;
  }

  public JsonObject publish(String channel, Object data) {
    return request(new JsonObject().put("op", "publish").put("channel", channel).put("data", data));
  }

  /** The next frame, failing after {@link #WAIT}. */
  public JsonObject next() {
    return poll(WAIT).orElseThrow(() -> new AssertionError("no frame within " + WAIT));
  }

  public Optional<JsonObject> poll(Duration timeout) {
    try {
      return Optional.ofNullable(frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The next frame matching the predicate; frames before it are dropped. */
  public JsonObject nextMatching(Predicate<JsonObject> predicate) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject frame = poll(Duration.ofNanos(deadline - System.nanoTime())).orElse(null);
      if (frame != null && predicate.test(frame)) return frame;
    }
    throw new AssertionError("no matching frame within " + WAIT);
  }

  /** The next {@code count} publications of the channel, in arrival order. */
  public List<JsonObject> publications(String channel, int count) {
    List<JsonObject> out = new ArrayList<>();
    while (out.size() < count) out.add(nextMatching(f -> channel.equals(f.getString("channel"))));
    return out;
  }

  /** Waits for the server to close the socket; returns the close code. */
  public short awaitClose() {
    try {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + WAIT, e);
    }
  }

  public String closeReason() {
    return socket.closeReason();
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public void sendBinary(Buffer data) {
    Await.result(socket.writeBinaryMessage(data));
  }

  @Override
  public void close() {
    try {
      if (!socket.isClosed()) Await.result(socket.close());
    } catch (AssertionError ignored) {
      // already gone
    }
    client.close();
  }
}
