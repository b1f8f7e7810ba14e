package io.wsgrid.session;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.JsonObject;
import io.wsgrid.metrics.NodeMetrics;
import io.wsgrid.protocol.Command;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.Op;
import io.wsgrid.protocol.ProtocolCodec;
import io.wsgrid.protocol.ProtocolError;
import io.wsgrid.security.Identity;
import io.wsgrid.security.Refusal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads its requests, hands each to the handler of its op, writes the
 * replies, and receives the publications of the channels it subscribed to. Runs on the event loop
 * of its {@link LocalSessions}.
 */
final class Session {
  /** Where a connection is in its life. */
  enum State {
    OPEN,
    CLOSING,
    CLOSED
  }

  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final ServerWebSocket socket;
  private final String id;
  private final LocalSessions loop;
  private final Ops ops;
  private final SessionSettings settings;
  private final NodeMetrics metrics;
  private final Set<String> channels = new HashSet<>();
  private final ArrayDeque<Reply> replies = new ArrayDeque<>();
  private State state = State.OPEN;
  private long queuedWhileFull;

  /** Null until a socket that must authenticate has sent a good {@code auth}. */
  private Identity identity;

  private final long openedAt = System.currentTimeMillis();
  private long lastSeen = openedAt;
  private long lastPing = openedAt;

  /** Token bucket of the message rate: tokens left and when they were counted. */
  private double tokens = -1;

  private long tokensAt;
  private int strikes;
  private long strikesSince;

  /**
   * A session for {@code identity} (null: it must send {@code {"op":"auth"}} before anything else)
   * among the sessions of {@code loop}, handing its requests to {@code ops}.
   */
  Session(
      ServerWebSocket socket,
      String id,
      Identity identity,
      LocalSessions loop,
      Ops ops,
      SessionSettings settings,
      NodeMetrics metrics) {
    this.socket = socket;
    this.id = id;
    this.identity = identity;
    this.loop = loop;
    this.ops = ops;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Installs the handlers and sends the {@code connected} frame. */
  void start() {
    loop.opened(this);
    MessageSizeLimit.install(socket, limits().maxFrameSize());
    validateUtf8();
    consolidateFlushes();
    socket.pongHandler(data -> lastSeen = System.currentTimeMillis());
    socket.setWriteQueueMaxSize(256 * 1024);
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(
        data -> {
          if (state != State.OPEN) return;
          long now = System.currentTimeMillis();
          lastSeen = now;
          if (!takeToken(now)) rateLimited(now, null);
          else
            refuse(
                new ProtocolError(
                    ErrorCode.BAD_REQUEST,
                    "binary frames are not supported: send JSON text frames"));
        });
    socket.drainHandler(v -> queuedWhileFull = 0);
    socket.exceptionHandler(this::onFailure);
    socket.closeHandler(
        v -> {
          state = State.CLOSED;
          loop.closed(this);
        });
    send(
        ProtocolCodec.connected(
            settings.nodeName(), id, limits().messageRate(), limits().messageBurst()));
  }

  /**
   * Vert.x flushes after every frame it writes, one system call each. A publisher's replies come in
   * batches (one per batch of its publications the log answered): flushed once per event-loop turn
   * instead, by Netty's handler for it, at the head of the pipeline.
   */
  private void consolidateFlushes() {
    if (socket instanceof WebSocketInternal internal) {
      var pipeline = internal.channelHandlerContext().pipeline();
      if (pipeline.get("wsgrid-flush") == null) {
        pipeline.addFirst("wsgrid-flush", new FlushConsolidationHandler(256, true));
      }
    }
  }

  /**
   * Vert.x decodes text frames leniently (invalid bytes become U+FFFD); RFC 6455 wants such a
   * connection failed with 1007. Netty's validator behind the frame decoder (and the inflater, for
   * compressed frames) does it, and its error reaches {@link #onFailure} like any corrupted frame.
   */
  private void validateUtf8() {
    if (socket instanceof WebSocketInternal internal) {
      var pipeline = internal.channelHandlerContext().pipeline();
      // Right before Vert.x's own handler: after permessage-deflate has inflated the frames.
      if (pipeline.get("handler") != null && pipeline.get("wsgrid-utf8") == null) {
        pipeline.addBefore("handler", "wsgrid-utf8", new Utf8FrameValidator(false));
      }
    }
  }

  String id() {
    return id;
  }

  Set<String> channels() {
    return channels;
  }

  /** The {@code sub} of the session's token; null while anonymous or before {@code auth}. */
  String user() {
    return identity == null ? null : identity.sub();
  }

  boolean addChannel(String channel) {
    return channels.add(channel);
  }

  boolean removeChannel(String channel) {
    return channels.remove(channel);
  }

  /**
   * A frame the decoder refused (too large, bad UTF-8, protocol violation) ends the connection with
   * the standard code it maps to and a reason the client can act on.
   */
  private void onFailure(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupted
        && state == State.OPEN
        && !socket.isClosed()) {
      WebSocketCloseStatus status = corrupted.closeStatus();
      boolean tooLarge = WebSocketCloseStatus.MESSAGE_TOO_BIG.equals(status);
      String reason =
          tooLarge
              ? "message too large: the limit is " + limits().maxFrameSize() + " bytes"
              : "invalid frame: " + corrupted.getMessage();
      if (tooLarge)
        settings.rejections().reject("max_frame_size", who(), reason + " (--max-frame-size)");
      state = State.CLOSING;
      closeSocket(status, reason.length() > 120 ? reason.substring(0, 120) : reason);
      return;
    }
    log.debug("session {}: {}", id, failure.toString());
  }

  private void onText(String text) {
    if (state != State.OPEN) return; // closing: what a client still sends is not read
    metrics.received();
    long now = System.currentTimeMillis();
    lastSeen = now;
    Command command;
    if (!takeToken(now)) {
      Object requestId = null;
      try {
        requestId = ProtocolCodec.parse(text).id();
      } catch (ProtocolError e) {
        requestId = e.requestId();
      }
      rateLimited(now, requestId);
      return;
    }
    try {
      command = ProtocolCodec.parse(text);
    } catch (ProtocolError e) {
      refuse(e);
      return;
    }
    if (command.op() == Op.AUTH) {
      reply(command.id(), authenticate(command));
      return;
    }
    if (identity == null) {
      reject(
          WebSocketCloseStatus.POLICY_VIOLATION,
          "token_missing",
          "unauthorized: send {\"op\":\"auth\",\"token\":…} first");
      return;
    }
    try {
      admit(command);
    } catch (ProtocolError e) {
      settings
          .rejections()
          .reject(
              e.code() == ErrorCode.TOO_LARGE ? "max_subscriptions" : e.code().wire(),
              who(),
              e.getMessage());
      refuse(e.withRequestId(command.id()));
      return;
    }
    CommandHandler handler = ops.handler(command.op());
    if (handler == null) {
      refuse(
          new ProtocolError(
              ErrorCode.UNKNOWN_OP,
              "op '" + command.op().wire() + "' is not enabled on this node",
              command.id()));
      return;
    }
    // The reply's place is taken before the handler runs, so whatever the handler schedules with
    // afterReplies comes after this reply.
    Reply slot = open();
    Future<JsonObject> result;
    try {
      result = handler.handle(this, command);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    answer(slot, command.id(), result);
  }

  /**
   * Replies go out in the order of the requests, whenever each completes: a client may send its
   * next request before the last is answered (a publisher never waits for one offset to send the
   * next publication) and still read the answers in order.
   */
  private void reply(Object id, Future<JsonObject> result) {
    answer(open(), id, result);
  }

  private Reply open() {
    Reply slot = new Reply();
    replies.addLast(slot);
    return slot;
  }

  private void answer(Reply slot, Object id, Future<JsonObject> result) {
    result.onComplete(
        ar -> {
          slot.frame =
              ar.succeeded()
                  ? ProtocolCodec.ok(id, ar.result())
                  : ProtocolCodec.error(asProtocolError(ar.cause()).withRequestId(id));
          flushReplies();
        });
  }

  private void flushReplies() {
    Reply head;
    while ((head = replies.peekFirst()) != null && head.frame != null) {
      replies.pollFirst();
      send(head.frame);
      if (head.after != null) head.after.forEach(Runnable::run);
    }
  }

  /**
   * Runs {@code action} once every reply to a request received so far has been written (at once if
   * none is pending).
   */
  void afterReplies(Runnable action) {
    Reply last = replies.peekLast();
    if (last == null) {
      action.run();
      return;
    }
    if (last.after == null) last.after = new ArrayList<>(1);
    last.after.add(action);
  }

  /**
   * A request's place among the replies: its frame once answered, and what waits for it to go out.
   */
  private static final class Reply {
    Buffer frame;
    List<Runnable> after;
  }

  /** Channel permissions and the subscription bound; throws the refusal. */
  private void admit(Command command) {
    if (command.op().permissioned())
      settings.rules().check(command.op(), command.channel(), identity);
    if (command.op() == Op.SUBSCRIBE) {
      int max = limits().maxSubscriptions();
      if (channels.size() >= max && !channels.contains(command.channel())) {
        throw new ProtocolError(
            ErrorCode.TOO_LARGE,
            "too many subscriptions: at most "
                + max
                + " per connection (--max-subscriptions); unsubscribe first");
      }
    }
  }

  /**
   * {@code {"op":"auth","token":…}}: the first frame of a socket that connected without a token, or
   * a fresh token for a live one (same {@code sub}) before the old one expires. A bad token closes
   * a socket that has no identity yet with 1008; a live socket keeps its old token.
   */
  private Future<JsonObject> authenticate(Command command) {
    if (settings.verifier() == null) {
      return Future.failedFuture(
          new ProtocolError(
              ErrorCode.BAD_REQUEST,
              "auth is not enabled on this node (no --jwt-secret or --jwt-public-key)"));
    }
    return settings
        .verifier()
        .verify(command.token())
        .transform(
            ar -> {
              if (ar.failed()) {
                Refusal refusal =
                    ar.cause() instanceof Refusal r
                        ? r
                        : Refusal.unauthorized(
                            "token_malformed", String.valueOf(ar.cause().getMessage()));
                if (identity == null) {
                  reject(
                      WebSocketCloseStatus.POLICY_VIOLATION,
                      refusal.reason(),
                      "unauthorized: " + refusal.getMessage());
                } else {
                  settings.rejections().reject(refusal.reason(), who(), refusal.getMessage());
                }
                return Future.failedFuture(
                    new ProtocolError(ErrorCode.UNAUTHORIZED, refusal.getMessage()));
              }
              Identity next = ar.result();
              if (identity != null && !identity.anonymous() && !identity.sub().equals(next.sub())) {
                settings
                    .rejections()
                    .reject(
                        "forbidden",
                        who(),
                        "auth as " + next.sub() + " on a socket of " + identity.sub());
                return Future.failedFuture(
                    new ProtocolError(
                        ErrorCode.FORBIDDEN,
                        "a socket keeps its user: this token is for another sub; reconnect instead"));
              }
              identity = next;
              return Future.succeededFuture(new JsonObject().put("sub", next.sub()));
            });
  }

  /** Takes one token from the message-rate bucket; false when empty. */
  private boolean takeToken(long now) {
    SessionLimits limits = limits();
    if (!limits.rateLimited()) return true;
    if (tokens < 0) {
      tokens = limits.messageBurst();
      tokensAt = now;
    } else if (now > tokensAt) {
      tokens =
          Math.min(
              limits.messageBurst(), tokens + (now - tokensAt) * limits.messageRate() / 1000.0);
      tokensAt = now;
    }
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  /**
   * Answers {@code rate_limited}; a client refused {@value SessionLimits#STRIKES} times within the
   * window is closed with 1008.
   */
  private void rateLimited(long now, Object requestId) {
    if (now - strikesSince > SessionLimits.STRIKE_WINDOW_MS) {
      strikesSince = now;
      strikes = 0;
    }
    strikes++;
    int rate = limits().messageRate();
    if (strikes > SessionLimits.STRIKES) {
      reject(
          WebSocketCloseStatus.POLICY_VIOLATION,
          "rate_limited",
          "rate limit exceeded: at most " + rate + " messages/s; slow down and reconnect");
      return;
    }
    settings.rejections().reject("rate_limited", who(), "over " + rate + " messages/s");
    refuse(
        new ProtocolError(
            ErrorCode.RATE_LIMITED,
            "rate limit: at most "
                + rate
                + " messages/s (bursts of "
                + limits().messageBurst()
                + "); slow down",
            requestId));
  }

  /** Counts and logs a rejection, then closes the socket with {@code status} and the reason. */
  private void reject(WebSocketCloseStatus status, String reason, String message) {
    settings.rejections().reject(reason, who(), message);
    if (state != State.OPEN || socket.isClosed()) return;
    state = State.CLOSING;
    // The replies to what it sent before go first (in order, as always), then the close.
    String text = message.length() > 120 ? message.substring(0, 120) : message;
    afterReplies(() -> closeSocket(status, text));
    // Read nothing more from a client closed for what it sent: a flooder's backlog would otherwise
    // still be decoded frame by frame on this event loop. TCP closes after the closing timeout.
    if (WebSocketCloseStatus.POLICY_VIOLATION.equals(status)) {
      socket.pause();
      // It will not read our close frame's answer either: cut the connection after a second.
      loop.context()
          .owner()
          .setTimer(
              1000,
              t -> {
                if (!socket.isClosed() && socket instanceof WebSocketInternal internal) {
                  internal.channelHandlerContext().close();
                }
              });
    }
  }

  /**
   * Once a second from its {@link LocalSessions}: auth deadline, token expiry, ping of a quiet
   * socket, idle close.
   */
  void sweep(long now) {
    if (state != State.OPEN || socket.isClosed()) return;
    SessionLimits limits = limits();
    if (identity == null) {
      if (now - openedAt >= limits.authTimeoutSeconds() * 1000L) {
        reject(
            WebSocketCloseStatus.POLICY_VIOLATION,
            "auth_timeout",
            "unauthorized: no auth frame within " + limits.authTimeoutSeconds() + " s");
      }
      return;
    }
    if (identity.expired(now)) {
      reject(
          WebSocketCloseStatus.POLICY_VIOLATION,
          "token_expired",
          "token expired: reconnect with a new token (or send auth before it expires)");
      return;
    }
    long quiet = now - lastSeen;
    if (limits.idleTimeoutSeconds() > 0 && quiet >= limits.idleTimeoutSeconds() * 1000L) {
      reject(
          WebSocketCloseStatus.ENDPOINT_UNAVAILABLE,
          "idle_timeout",
          "idle timeout: no frame or pong for " + limits.idleTimeoutSeconds() + " s");
      return;
    }
    if (limits.pingIntervalSeconds() > 0
        && quiet >= limits.pingIntervalSeconds() * 1000L
        && now - lastPing >= limits.pingIntervalSeconds() * 1000L) {
      lastPing = now;
      socket.writePing(Buffer.buffer());
    }
  }

  private SessionLimits limits() {
    return settings.limits();
  }

  private String who() {
    return "client "
        + id
        + (identity != null && !identity.anonymous() ? " (" + identity + ")" : "");
  }

  private ProtocolError asProtocolError(Throwable failure) {
    if (failure instanceof ProtocolError error) return error;
    log.warn("session {}: request failed: {}", id, failure.toString());
    return new ProtocolError(
        ErrorCode.INTERNAL, "the node could not handle the request; try again");
  }

  private void refuse(ProtocolError error) {
    reply(error.requestId(), Future.failedFuture(error));
  }

  /**
   * Writes a reply; also while closing, so a client refused for what it sent still gets the answers
   * before the close.
   */
  private void send(Buffer frame) {
    if (state == State.CLOSED || socket.isClosed()) return;
    socket.writeFrame(TextFrames.of(frame));
  }

  /**
   * Writes a publication frame; false when the session no longer takes publications. A client whose
   * queue stays full past the bound is closed with 1013, so it cannot stall the others.
   */
  boolean push(Buffer frame) {
    if (state != State.OPEN || socket.isClosed()) return false;
    if (socket.writeQueueFull()) {
      queuedWhileFull += frame.length();
      if (queuedWhileFull > limits().maxQueuedBytes()) {
        state = State.CLOSING;
        metrics.slowConsumerDisconnected();
        log.info(
            "session {}: slow consumer, {} bytes queued, disconnecting ({})",
            id,
            queuedWhileFull,
            WebSocketCloseStatus.TRY_AGAIN_LATER.code());
        loop.context()
            .runOnContext(
                v ->
                    closeSocket(
                        WebSocketCloseStatus.TRY_AGAIN_LATER,
                        "slow consumer: messages queued faster than read; reconnect"));
        return false;
      }
    }
    socket.writeFrame(TextFrames.of(frame));
    return true;
  }

  /** False once a close has begun (by either side). */
  boolean isOpen() {
    return state == State.OPEN && !socket.isClosed();
  }

  /** Closes the connection with a status and a reason; completes when closed. */
  Future<Void> close(WebSocketCloseStatus status, String reason) {
    if (state == State.CLOSED || socket.isClosed()) return Future.succeededFuture();
    state = State.CLOSING;
    return closeSocket(status, reason);
  }

  private Future<Void> closeSocket(WebSocketCloseStatus status, String reason) {
    return socket.close((short) status.code(), reason);
  }
}
