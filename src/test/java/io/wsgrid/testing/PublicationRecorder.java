package io.wsgrid.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket client for many channels at once: requests go out without waiting for their replies
 * (counted as they come), and every publication is recorded per channel with its offset and its
 * {@code data} exactly as the frame carried it (the text between {@code "data":} and the frame's
 * last brace).
 */
public final class PublicationRecorder implements AutoCloseable {
  /** One publication as received. */
  public record Received(long offset, String data) {}

  private final WebSocketClient client;
  private final ClientWebSocket socket;
  private final Map<String, List<Received>> byChannel = new ConcurrentHashMap<>();
  private final AtomicInteger ok = new AtomicInteger();
  private final List<JsonObject> errors = new CopyOnWriteArrayList<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong nextId = new AtomicLong();
  private final Map<Long, JsonObject> replies = new ConcurrentHashMap<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();

  private PublicationRecorder(WebSocketClient client, WebSocketConnectOptions options) {
    this.client = client;
    this.socket = client.webSocket();
    socket.textMessageHandler(this::onText);
    socket.closeHandler(
        v -> closed.complete(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode()));
    Await.result(socket.connect(options));
    Await.until("the connected frame", Duration.ofSeconds(15), () -> received.get() > 0);
  }

  public static PublicationRecorder connect(Vertx vertx, String url) {
    URI uri = URI.create(url);
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    return new PublicationRecorder(
        client,
        new WebSocketConnectOptions()
            .setHost(uri.getHost())
            .setPort(uri.getPort())
            .setURI(uri.getRawPath()));
  }

  private void onText(String text) {
    received.incrementAndGet();
    if (text.startsWith("{\"channel\":\"")) {
      int end = text.indexOf('"', 12);
      String channel = text.substring(12, end);
      int offsetAt = text.indexOf("\"offset\":", end) + 9;
      int dataAt = text.indexOf(",\"data\":", offsetAt);
      long offset = Long.parseLong(text.substring(offsetAt, dataAt));
      byChannel
          .computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>())
          .add(new Received(offset, text.substring(dataAt + 8, text.length() - 1)));
      return;
    }
    JsonObject frame = new JsonObject(text);
    if (frame.getValue("id") instanceof Number id) replies.put(id.longValue(), frame);
    if (frame.getBoolean("ok", false)) ok.incrementAndGet();
    else if (frame.containsKey("error")) errors.add(frame);
  }

  private long send(JsonObject request) {
    long id = nextId.incrementAndGet();
    socket.writeTextMessage(request.put("id", id).encode());
    return id;
  }

  /** Sends a request and waits for its reply. */
  public JsonObject request(JsonObject request) {
    long id = send(request);
    Await.until("the reply to " + request, Duration.ofSeconds(30), () -> replies.containsKey(id));
    return replies.remove(id);
  }

  /** The close code once the connection closed (-1: closed without one); null while open. */
  public Short closeCode() {
    return closed.getNow(null);
  }

  /** Subscribes to every channel, all requests at once, and waits for every reply. */
  public void subscribeAll(Collection<String> channels) {
    int before = ok.get();
    for (String channel : channels)
      send(new JsonObject().put("op", "subscribe").put("channel", channel));
    awaitOk(before + channels.size(), Duration.ofSeconds(60));
  }

  /** Publishes raw JSON {@code data} without waiting for the reply; returns the request's id. */
  public long publishRaw(String channel, String data) {
    long id = nextId.incrementAndGet();
    socket.writeTextMessage(
        "{\"id\":"
            + id
            + ",\"op\":\"publish\",\"channel\":\""
            + channel
            + "\",\"data\":"
            + data
            + "}");
    return id;
  }

  /** The reply to request {@code id}, if it came (and was not taken by {@link #request}). */
  public JsonObject reply(long id) {
    return replies.get(id);
  }

  /** Waits until {@code count} ok replies in all have come (and fails at the first error reply). */
  public void awaitOk(int count, Duration timeout) {
    Await.until(
        count + " ok replies (have " + ok.get() + ", errors " + errors + ")",
        timeout,
        () -> {
          if (!errors.isEmpty()) throw new AssertionError("error replies: " + errors);
          return ok.get() >= count;
        });
  }

  public int okReplies() {
    return ok.get();
  }

  public List<Received> of(String channel) {
    return new ArrayList<>(byChannel.getOrDefault(channel, List.of()));
  }

  public long publications() {
    return byChannel.values().stream().mapToLong(List::size).sum();
  }

  @Override
  public void close() {
    socket.close();
    client.close();
  }
}
