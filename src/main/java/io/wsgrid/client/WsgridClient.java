package io.wsgrid.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wsgrid client for Java (usable as a library from the same jar): connects (through the edge),
 * subscribes, publishes, and when the connection drops reconnects with exponential backoff and
 * full jitter, resubscribes every channel with {@code since} its last offset and epoch, and so
 * receives what it missed once and in order. Publications with an offset it has already seen are
 * dropped. All callbacks run on one Vert.x event loop; the methods may be called from any thread.
 */
public final class WsgridClient {
  private static final Logger log = LoggerFactory.getLogger(WsgridClient.class);

  /** A channel's subscription: its handler and the position it has reached. */
  private static final class Subscription {
    final Consumer<JsonObject> handler;
    long offset = -1;
    String epoch;

    Subscription(Consumer<JsonObject> handler) {
      this.handler = handler;
    }
  }

  private final Vertx vertx;
  private final URI url;
  private final Backoff backoff;
  private final WebSocketClient client;
  private final io.vertx.core.Context context;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final Map<Long, Promise<JsonObject>> inFlight = new HashMap<>();
  private WebSocket socket;
  private long nextId = 1;
  private int attempt;
  private boolean closed;
  private String node;
  private Consumer<String> onConnected = node -> { };
  private Consumer<String> onRecoveryFailed = channel -> { };
  private int reconnects;

  private WsgridClient(Vertx vertx, String url, Backoff backoff) {
    this.vertx = vertx;
    this.url = URI.create(url);
    this.backoff = backoff;
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(16 << 20).setMaxMessageSize(16 << 20));
  }

  /** Connects to {@code url} ({@code ws://edge:8080/ws}); completes once the first connection is up. */
  public static Future<WsgridClient> connect(Vertx vertx, String url, Backoff backoff) {
    WsgridClient c = new WsgridClient(vertx, url, backoff);
    Promise<WsgridClient> up = Promise.promise();
    c.context.runOnContext(v -> c.open().onComplete(ar -> {
      if (ar.succeeded()) up.complete(c);
      else up.fail(ar.cause());
    }));
    return up.future();
  }

  /** Called with the node's name after every (re)connection. */
  public WsgridClient onConnected(Consumer<String> handler) {
    this.onConnected = handler;
    return this;
  }

  /** Called with a channel whose missed publications could not be recovered (history too short, epoch changed). */
  public WsgridClient onRecoveryFailed(Consumer<String> handler) {
    this.onRecoveryFailed = handler;
    return this;
  }

  /** The node the client is connected to now (null while reconnecting). */
  public String node() {
    return node;
  }

  /** How many times the connection was re-established. */
  public int reconnects() {
    return reconnects;
  }

  /** Subscribes; {@code handler} receives every publication frame of the channel, in offset order. */
  public Future<JsonObject> subscribe(String channel, Consumer<JsonObject> handler) {
    Promise<JsonObject> done = Promise.promise();
    context.runOnContext(v -> {
      Subscription subscription = new Subscription(handler);
      subscriptions.put(channel, subscription);
      sendSubscribe(channel, subscription).onComplete(done);
    });
    return done.future();
  }

  /** Publishes; completes with the publication's offset. */
  public Future<Long> publish(String channel, Object data) {
    Promise<JsonObject> reply = Promise.promise();
    context.runOnContext(v -> request(new JsonObject().put("op", "publish").put("channel", channel).put("data", data)).onComplete(reply));
    return reply.future().map(r -> r.getLong("offset", -1L));
  }

  /** Closes for good: no reconnect. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      Future<Void> closing = socket == null ? Future.succeededFuture() : socket.close();
      closing.onComplete(ar -> client.close().onComplete(done));
    });
    return done.future();
  }

  private Future<Void> open() {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(url.getHost()).setPort(url.getPort())
        .setURI(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    // Handlers before connecting: the node's first frame cannot arrive before them.
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> onClosed(ws));
    socket = ws;
    return ws.connect(options).<Void>mapEmpty().onFailure(e -> {
      if (socket == ws) socket = null;
    });
  }

  private void onText(String text) {
    JsonObject frame = new JsonObject(text);
    if ("connected".equals(frame.getString("op"))) {
      node = frame.getString("node");
      attempt = 0;
      onConnected.accept(node);
      subscriptions.forEach(this::sendSubscribe);
      return;
    }
    String channel = frame.getString("channel");
    if (channel != null && frame.containsKey("data") && !frame.containsKey("id")) {
      Subscription subscription = subscriptions.get(channel);
      if (subscription == null) return;
      long offset = frame.getLong("offset", -1L);
      if (offset >= 0 && offset <= subscription.offset) return; // seen before a reconnect
      if (offset >= 0) subscription.offset = offset;
      subscription.handler.accept(frame);
      return;
    }
    Object id = frame.getValue("id");
    if (id instanceof Number n) {
      Promise<JsonObject> promise = inFlight.remove(n.longValue());
      if (promise == null) return;
      if (frame.containsKey("error")) promise.fail(frame.getJsonObject("error").getString("code") + ": "
          + frame.getJsonObject("error").getString("message"));
      else promise.complete(frame);
    }
  }

  private Future<JsonObject> sendSubscribe(String channel, Subscription subscription) {
    JsonObject request = new JsonObject().put("op", "subscribe").put("channel", channel);
    // With an epoch, always recover: offset -1 (nothing received yet) replays from the start.
    if (subscription.epoch != null) {
      request.put("since", new JsonObject().put("offset", subscription.offset).put("epoch", subscription.epoch));
    }
    boolean recovering = request.containsKey("since");
    return request(request).onSuccess(reply -> {
      String epoch = reply.getString("epoch");
      boolean recovered = reply.getBoolean("recovered", false);
      if (recovering && !recovered) {
        log.warn("wsgrid client: {} could not be recovered (history too short or epoch changed)", channel);
        onRecoveryFailed.accept(channel);
      }
      if (epoch == null) return; // a channel without history: offsets only
      long latest = reply.getLong("offset", -1L);
      if (!epoch.equals(subscription.epoch)) subscription.offset = latest; // first subscribe, or a new epoch
      else if (!recovered) subscription.offset = Math.max(subscription.offset, latest);
      subscription.epoch = epoch;
    });
  }

  private Future<JsonObject> request(JsonObject request) {
    if (socket == null || socket.isClosed()) return Future.failedFuture("not connected; the client is reconnecting");
    long id = nextId++;
    Promise<JsonObject> promise = Promise.promise();
    inFlight.put(id, promise);
    socket.writeTextMessage(request.copy().put("id", id).encode());
    return promise.future();
  }

  private void onClosed(WebSocket ws) {
    if (ws != socket) return;
    socket = null;
    node = null;
    inFlight.values().forEach(p -> p.tryFail("connection closed"));
    inFlight.clear();
    if (!closed) scheduleReconnect();
  }

  private void scheduleReconnect() {
    long delay = backoff.delayMs(attempt++);
    log.info("wsgrid client: disconnected; reconnecting in {} ms (attempt {})", delay, attempt);
    vertx.setTimer(Math.max(1, delay), t -> {
      if (closed) return;
      open().onSuccess(v -> reconnects++).onFailure(e -> scheduleReconnect());
    });
  }
}
