package io.wsgrid.session;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgrid.protocol.Command;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolCodec;
import io.wsgrid.protocol.ProtocolError;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads its requests, hands each to the handler of its op, writes the
 * replies, and receives the publications of the channels it subscribed to. Runs on its hub's
 * event loop.
 */
public final class Session {
  /** Where a connection is in its life. */
  enum State { OPEN, CLOSING, CLOSED }

  public static final short CLOSE_GOING_AWAY = 1001;
  public static final short CLOSE_TRY_AGAIN_LATER = 1013;
  public static final short CLOSE_SERVICE_RESTART = 1012;
  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final ServerWebSocket socket;
  private final String id;
  private final LocalHub hub;
  private final Set<String> channels = new HashSet<>();
  private State state = State.OPEN;
  private long queuedWhileFull;

  public Session(ServerWebSocket socket, String id, LocalHub hub) {
    this.socket = socket;
    this.id = id;
    this.hub = hub;
  }

  /** Installs the handlers and sends the {@code connected} frame. */
  public void start() {
    hub.opened(this);
    socket.setWriteQueueMaxSize(256 * 1024);
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(data -> refuse(new ProtocolError(ErrorCode.BAD_REQUEST,
        "binary frames are not supported: send JSON text frames")));
    socket.drainHandler(v -> queuedWhileFull = 0);
    socket.exceptionHandler(this::onFailure);
    socket.closeHandler(v -> {
      state = State.CLOSED;
      hub.closed(this);
    });
    send(ProtocolCodec.connected(hub.nodeName(), id));
  }

  public String id() {
    return id;
  }

  LocalHub hub() {
    return hub;
  }

  Set<String> channels() {
    return channels;
  }

  boolean addChannel(String channel) {
    return channels.add(channel);
  }

  boolean removeChannel(String channel) {
    return channels.remove(channel);
  }

  /**
   * A frame the decoder refused (too large, bad UTF-8, protocol violation) ends the connection
   * with the standard code it maps to and a reason the client can act on.
   */
  private void onFailure(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupted && state == State.OPEN && !socket.isClosed()) {
      short code = (short) corrupted.closeStatus().code();
      String reason = code == 1009
          ? "message too large: the limit is " + hub.limits().maxFrameSize() + " bytes"
          : "invalid frame: " + corrupted.getMessage();
      state = State.CLOSING;
      socket.close(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
      return;
    }
    log.debug("session {}: {}", id, failure.toString());
  }

  private void onText(String text) {
    hub.metrics().received();
    Command command;
    try {
      command = ProtocolCodec.parse(text);
    } catch (ProtocolError e) {
      refuse(e);
      return;
    }
    CommandHandler handler = hub.handler(command.op());
    if (handler == null) {
      refuse(new ProtocolError(ErrorCode.UNKNOWN_OP,
          "op '" + command.op().wire() + "' is not enabled on this node", command.id()));
      return;
    }
    Future<JsonObject> result;
    try {
      result = handler.handle(this, command);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        send(ProtocolCodec.ok(command.id(), ar.result()));
      } else {
        refuse(asProtocolError(ar.cause()).withRequestId(command.id()));
      }
    });
  }

  private ProtocolError asProtocolError(Throwable failure) {
    if (failure instanceof ProtocolError error) return error;
    log.warn("session {}: request failed: {}", id, failure.toString());
    return new ProtocolError(ErrorCode.INTERNAL, "the node could not handle the request; try again");
  }

  private void refuse(ProtocolError error) {
    send(ProtocolCodec.error(error));
  }

  private void send(Buffer frame) {
    if (state != State.OPEN || socket.isClosed()) return;
    socket.writeFrame(TextFrames.of(frame));
  }

  /**
   * Writes a publication frame; false when the session no longer takes publications. A client
   * whose queue stays full past the bound is closed with 1013, so it cannot stall the others.
   */
  boolean push(Buffer frame) {
    if (state != State.OPEN || socket.isClosed()) return false;
    if (socket.writeQueueFull()) {
      queuedWhileFull += frame.length();
      if (queuedWhileFull > hub.limits().maxQueuedBytes()) {
        state = State.CLOSING;
        hub.metrics().slowConsumerDisconnected();
        log.info("session {}: slow consumer, {} bytes queued, disconnecting (1013)", id, queuedWhileFull);
        hub.context().runOnContext(v -> socket.close(CLOSE_TRY_AGAIN_LATER,
            "slow consumer: messages queued faster than read; reconnect"));
        return false;
      }
    }
    socket.writeFrame(TextFrames.of(frame));
    return true;
  }

  /** False once a close has begun (by either side). */
  public boolean isOpen() {
    return state == State.OPEN && !socket.isClosed();
  }

  /** Closes the connection with a code and a reason; completes when closed. */
  public Future<Void> close(short code, String reason) {
    if (state == State.CLOSED || socket.isClosed()) return Future.succeededFuture();
    state = State.CLOSING;
    return socket.close(code, reason);
  }
}
