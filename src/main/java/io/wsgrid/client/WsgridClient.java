package io.wsgrid.client;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
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
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wsgrid client for Java (usable as a library from the same jar): connects (through the edge, or
 * to the first of several URLs that answers), subscribes, publishes, and when the connection drops
 * reconnects with exponential backoff and full jitter, resubscribes every channel with {@code
 * since} its last offset and epoch, and so receives what it missed once and in order. Publications
 * with an offset it has already seen are dropped. Requests are paced within the message budget the
 * server announces, a subscribe refused with {@code rate_limited} (or {@code unavailable}, {@code
 * internal}) is retried after a backoff, any other refusal fails the subscribe's future and reaches
 * {@link #onError}. A connection quiet for the ping interval is pinged and dropped when nothing
 * comes back in time. All callbacks run on one Vert.x event loop; the methods may be called from
 * any thread.
 */
public final class WsgridClient {
  private static final Logger log = LoggerFactory.getLogger(WsgridClient.class);
  private static final short CLOSE_POLICY_VIOLATION =
      (short) WebSocketCloseStatus.POLICY_VIOLATION.code();

  /** A channel's subscription: its handler, the position it has reached, its first reply. */
  private static final class Subscription {
    final String channel;
    final Consumer<JsonObject> handler;
    final Promise<JsonObject> subscribed = Promise.promise();
    long offset = -1;
    String epoch;

    /** Retryable refusals in a row. */
    int retries;

    /** The connection on which the server last confirmed it. */
    long confirmedOn = -1;

    Subscription(String channel, Consumer<JsonObject> handler) {
      this.channel = channel;
      this.handler = handler;
    }
  }

  /** A request waiting for its turn under the pacer. */
  private record Queued(JsonObject body, Promise<JsonObject> reply) {}

  private final Vertx vertx;
  private final List<URI> urls;
  private final ClientOptions options;
  private final WebSocketClient client;
  private final Context context;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final Map<Long, Queued> inFlight = new HashMap<>();
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private RequestPacer pacer = RequestPacer.of(0, 0, 0);
  private WebSocket socket;

  /** Numbers the connections: a reply or timer of an older one is ignored. */
  private long connection;

  private boolean ready;
  private int urlIndex;
  private long nextId = 1;
  private int attempt;
  private boolean closed;
  private String node;
  private long pumpTimer = -1;
  private long watchTimer = -1;
  private long lastReceived;
  private long pingSentAt;
  private Consumer<String> onConnected = node -> {};
  private Consumer<String> onRecoveryFailed = channel -> {};
  private Consumer<WsgridException> onError = error -> {};
  private int reconnects;

  private WsgridClient(Vertx vertx, List<String> urls, ClientOptions options) {
    if (urls.isEmpty())
      throw new IllegalArgumentException("give at least one URL (ws://edge:8080/ws)");
    this.vertx = vertx;
    this.urls = urls.stream().map(URI::create).toList();
    this.options = options;
    this.context = vertx.getOrCreateContext();
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(16 << 20).setMaxMessageSize(16 << 20));
  }

  /**
   * Connects to {@code url} ({@code ws://edge:8080/ws}); completes once the first connection is up.
   */
  public static Future<WsgridClient> connect(Vertx vertx, String url, Backoff backoff) {
    return connect(vertx, List.of(url), ClientOptions.defaults().withBackoff(backoff));
  }

  /**
   * Connects to the first of {@code urls} that answers (several edges, or nodes without an edge);
   * each reconnect moves on to the next URL. Completes once the first connection is up, fails when
   * none of the URLs answers.
   */
  public static Future<WsgridClient> connect(
      Vertx vertx, List<String> urls, ClientOptions options) {
    WsgridClient c = new WsgridClient(vertx, urls, options);
    Promise<WsgridClient> up = Promise.promise();
    c.context.runOnContext(v -> c.firstConnection(0, up));
    return up.future();
  }

  private void firstConnection(int tried, Promise<WsgridClient> up) {
    open()
        .onSuccess(v -> up.complete(this))
        .onFailure(
            e -> {
              if (tried + 1 >= urls.size()) {
                up.fail(e);
              } else {
                urlIndex = (urlIndex + 1) % urls.size();
                firstConnection(tried + 1, up);
              }
            });
  }

  /** Called with the node's name after every (re)connection. */
  public WsgridClient onConnected(Consumer<String> handler) {
    this.onConnected = handler;
    return this;
  }

  /**
   * Called with a channel whose missed publications could not be recovered (history too short,
   * epoch changed).
   */
  public WsgridClient onRecoveryFailed(Consumer<String> handler) {
    this.onRecoveryFailed = handler;
    return this;
  }

  /**
   * Called when the server refuses a subscribe for good ({@code forbidden}, {@code unauthorized},
   * {@code too_large}, …: the channel is dropped from the client, also when it was a resubscribe
   * after a reconnect), and when it closes the connection with 1008 ({@value
   * WsgridException#POLICY_VIOLATION}; the client reconnects with a growing backoff).
   */
  public WsgridClient onError(Consumer<WsgridException> handler) {
    this.onError = handler;
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

  /**
   * Subscribes; {@code handler} receives every publication frame of the channel, in offset order.
   * Completes with the server's reply once subscribed (after a reconnect, if the connection is down
   * now); fails with a {@link WsgridException} when the server refuses the channel.
   */
  public Future<JsonObject> subscribe(String channel, Consumer<JsonObject> handler) {
    Subscription subscription = new Subscription(channel, handler);
    context.runOnContext(
        v -> {
          Subscription previous = subscriptions.put(channel, subscription);
          if (previous != null)
            subscription
                .subscribed
                .future()
                .onComplete(previous.subscribed::tryComplete, previous.subscribed::tryFail);
          if (ready) sendSubscribe(subscription);
        });
    return subscription.subscribed.future();
  }

  /** Publishes; completes with the publication's offset, fails with a {@link WsgridException}. */
  public Future<Long> publish(String channel, Object data) {
    Promise<JsonObject> reply = Promise.promise();
    context.runOnContext(
        v ->
            request(new JsonObject().put("op", "publish").put("channel", channel).put("data", data))
                .onComplete(reply));
    return reply.future().map(r -> r.getLong("offset", -1L));
  }

  /** Closes for good: no reconnect; subscribes not yet confirmed fail. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          closed = true;
          WebSocket open = socket;
          detach();
          subscriptions
              .values()
              .forEach(
                  s ->
                      s.subscribed.tryFail(
                          new WsgridException(
                              WsgridException.DISCONNECTED, s.channel, "client closed")));
          Future<Void> closing = open == null ? Future.succeededFuture() : open.close();
          closing.onComplete(ar -> client.close().onComplete(done));
        });
    return done.future();
  }

  private Future<Void> open() {
    URI url = urls.get(urlIndex);
    long timeout = options.connectTimeout().toMillis();
    WebSocketConnectOptions connect =
        new WebSocketConnectOptions()
            .setHost(url.getHost())
            .setPort(url.getPort())
            .setSsl("wss".equals(url.getScheme()))
            .setConnectTimeout(timeout)
            .setTimeout(timeout)
            .setURI(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    // Handlers before connecting: the node's first frame cannot arrive before them.
    ClientWebSocket ws = client.webSocket();
    long number = ++connection;
    ws.textMessageHandler(
        text -> {
          if (ws == socket) onText(text);
        });
    ws.closeHandler(v -> onClosed(ws));
    socket = ws;
    lastReceived = System.currentTimeMillis();
    pingSentAt = 0;
    return ws.connect(connect)
        .<Void>mapEmpty()
        .onSuccess(v -> watch(number))
        .onFailure(
            e -> {
              if (socket == ws) socket = null;
            });
  }

  private void onText(String text) {
    lastReceived = System.currentTimeMillis();
    pingSentAt = 0;
    JsonObject frame = new JsonObject(text);
    if ("connected".equals(frame.getString("op"))) {
      node = frame.getString("node");
      JsonObject limits = frame.getJsonObject("limits");
      pacer =
          limits == null
              ? RequestPacer.of(0, 0, 0)
              : RequestPacer.of(
                  limits.getInteger("rate", 0), limits.getInteger("burst", 0), lastReceived);
      ready = true;
      subscriptions.values().forEach(this::sendSubscribe);
      pump();
      onConnected.accept(node);
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
    if (frame.getValue("id") instanceof Number n) {
      Queued request = inFlight.remove(n.longValue());
      if (request == null) return;
      JsonObject error = frame.getJsonObject("error");
      if (error == null) {
        request.reply().complete(frame);
        return;
      }
      String code = error.getString("code", "internal");
      if ("rate_limited".equals(code)) pacer.refused(System.currentTimeMillis());
      request
          .reply()
          .fail(
              new WsgridException(
                  code, request.body().getString("channel"), error.getString("message", "")));
    }
  }

  private void sendSubscribe(Subscription subscription) {
    JsonObject request =
        new JsonObject().put("op", "subscribe").put("channel", subscription.channel);
    // With an epoch, always recover: offset -1 (nothing received yet) replays from the start.
    boolean recovering = subscription.epoch != null;
    if (recovering) {
      request.put(
          "since",
          new JsonObject().put("offset", subscription.offset).put("epoch", subscription.epoch));
    }
    long on = connection;
    request(request)
        .onComplete(
            ar -> {
              boolean current = subscriptions.get(subscription.channel) == subscription;
              if (ar.succeeded()) {
                if (current) {
                  subscription.retries = 0;
                  subscription.confirmedOn = on;
                  applyPosition(subscription, ar.result(), recovering);
                }
                subscription.subscribed.tryComplete(ar.result());
                return;
              }
              WsgridException refusal =
                  ar.cause() instanceof WsgridException e
                      ? e
                      : new WsgridException(
                          "internal",
                          subscription.channel,
                          String.valueOf(ar.cause().getMessage()));
              if (!current || WsgridException.DISCONNECTED.equals(refusal.code()))
                return; // the next connection resubscribes
              if (refusal.retryable()) {
                long delay = Math.max(1, options.backoff().delayMs(subscription.retries++));
                log.debug(
                    "wsgrid client: subscribe {} refused ({}); retrying in {} ms",
                    subscription.channel,
                    refusal.code(),
                    delay);
                vertx.setTimer(
                    delay,
                    t -> {
                      if (on == connection
                          && ready
                          && subscriptions.get(subscription.channel) == subscription)
                        sendSubscribe(subscription);
                    });
                return;
              }
              subscriptions.remove(subscription.channel);
              log.warn(
                  "wsgrid client: subscribe {} refused: {}",
                  subscription.channel,
                  refusal.getMessage());
              subscription.subscribed.tryFail(refusal);
              onError.accept(refusal);
            });
  }

  private void applyPosition(Subscription subscription, JsonObject reply, boolean recovering) {
    String epoch = reply.getString("epoch");
    boolean recovered = reply.getBoolean("recovered", false);
    if (recovering && !recovered) {
      log.warn(
          "wsgrid client: {} could not be recovered (history too short or epoch changed)",
          subscription.channel);
      onRecoveryFailed.accept(subscription.channel);
    }
    if (epoch == null) return; // a channel without history: offsets only
    long latest = reply.getLong("offset", -1L);
    if (!epoch.equals(subscription.epoch))
      subscription.offset = latest; // first subscribe, or a new epoch
    else if (!recovered) subscription.offset = Math.max(subscription.offset, latest);
    subscription.epoch = epoch;
  }

  /** Queues a request behind the pacer; fails at once while the client is reconnecting. */
  private Future<JsonObject> request(JsonObject body) {
    if (socket == null || socket.isClosed()) {
      return Future.failedFuture(
          new WsgridException(
              WsgridException.DISCONNECTED,
              body.getString("channel"),
              "not connected; the client is reconnecting"));
    }
    Promise<JsonObject> reply = Promise.promise();
    queue.add(new Queued(body, reply));
    pump();
    return reply.future();
  }

  /** Sends what the pacer allows now, and comes back when the next token is due. */
  private void pump() {
    if (!ready || pumpTimer >= 0) return;
    while (!queue.isEmpty()) {
      long now = System.currentTimeMillis();
      long wait = pacer.delayMs(now);
      if (wait > 0) {
        pumpTimer =
            vertx.setTimer(
                wait,
                t -> {
                  pumpTimer = -1;
                  pump();
                });
        return;
      }
      pacer.take(now);
      send(queue.poll());
    }
  }

  private void send(Queued request) {
    long id = nextId++;
    inFlight.put(id, request);
    socket.writeTextMessage(request.body().copy().put("id", id).encode());
  }

  /** Pings a quiet connection, and drops one that stays silent past the timeout. */
  private void watch(long number) {
    long interval = options.pingInterval().toMillis();
    if (interval == 0 || closed) return;
    long timeout = options.pingTimeout().toMillis();
    long tick = Math.max(20, Math.min(1000, Math.min(interval, timeout) / 4));
    watchTimer =
        vertx.setPeriodic(
            tick,
            id -> {
              if (number != connection || socket == null) {
                vertx.cancelTimer(id);
                return;
              }
              long now = System.currentTimeMillis();
              if (pingSentAt == 0 && now - lastReceived >= interval) {
                pingSentAt = now;
                pacer.take(now); // a ping never waits behind queued requests
                send(new Queued(new JsonObject().put("op", "ping"), Promise.promise()));
              } else if (pingSentAt > 0 && now - pingSentAt >= timeout) {
                vertx.cancelTimer(id);
                log.warn(
                    "wsgrid client: no answer from {} within {} ms of a ping; reconnecting",
                    node,
                    timeout);
                WebSocket dead = socket;
                dropped(false);
                dead.close(
                    (short) WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "no answer to ping");
              }
            });
  }

  private void onClosed(WebSocket ws) {
    if (ws != socket) return;
    Short code = ws.closeStatusCode();
    boolean refused = code != null && code == CLOSE_POLICY_VIOLATION;
    if (refused && !closed) {
      WsgridException error =
          new WsgridException(
              WsgridException.POLICY_VIOLATION,
              null,
              "the server closed the connection with 1008 ("
                  + ws.closeReason()
                  + "); reconnecting with backoff");
      log.warn("wsgrid client: {}", error.getMessage());
      onError.accept(error);
    }
    dropped(refused);
  }

  /**
   * The connection is gone: fail what waits on it and reconnect. The backoff starts over only after
   * a healthy connection (every subscription confirmed, not closed for a policy violation), so a
   * client the server keeps refusing slows down instead of reconnecting in a loop.
   */
  private void dropped(boolean refused) {
    boolean healthy =
        ready
            && !refused
            && subscriptions.values().stream().allMatch(s -> s.confirmedOn == connection);
    detach();
    if (healthy) attempt = 0;
    if (!closed) scheduleReconnect();
  }

  private void detach() {
    socket = null;
    node = null;
    ready = false;
    connection++;
    if (pumpTimer >= 0) vertx.cancelTimer(pumpTimer);
    if (watchTimer >= 0) vertx.cancelTimer(watchTimer);
    pumpTimer = -1;
    watchTimer = -1;
    WsgridException gone =
        new WsgridException(WsgridException.DISCONNECTED, null, "connection closed");
    inFlight.values().forEach(q -> q.reply().tryFail(gone));
    queue.forEach(q -> q.reply().tryFail(gone));
    inFlight.clear();
    queue.clear();
  }

  private void scheduleReconnect() {
    long delay = options.backoff().delayMs(attempt++);
    urlIndex = (urlIndex + 1) % urls.size();
    log.info(
        "wsgrid client: disconnected; reconnecting to {} in {} ms (attempt {})",
        urls.get(urlIndex),
        delay,
        attempt);
    vertx.setTimer(
        Math.max(1, delay),
        t -> {
          if (closed) return;
          open().onSuccess(v -> reconnects++).onFailure(e -> scheduleReconnect());
        });
  }
}
