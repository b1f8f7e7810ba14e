package io.wsgrid.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Fails a connection whose message, counted after permessage-deflate has inflated it and over all
 * its fragments, exceeds {@code --max-frame-size}, with the frame decoder's own error (1009), so
 * {@link Session} closes it like a frame too large on the wire. Netty's decoder bounds only a
 * frame's length on the wire; Vert.x's message bound raises an error that carries no close code and
 * leaves the connection open, and a compressed frame is small on the wire whatever it inflates to.
 * Also maps the bounded inflater's errors ({@link BoundedInflation}) to a close code: too large
 * (1009), or not valid deflate data (1007). Every frame after the refusal is dropped.
 */
final class MessageSizeLimit extends ChannelInboundHandlerAdapter {
  static final String NAME = "wsgrid-message-size";

  private final int limit;

  /** Bytes of the data message being received, or -1 between messages. */
  private long received = -1;

  private boolean refused;

  MessageSizeLimit(int limit) {
    this.limit = limit;
  }

  /** Puts the limit in front of Vert.x's handler of the socket's connection: after the inflater. */
  static void install(ServerWebSocket socket, int limit) {
    if (socket instanceof WebSocketInternal internal) {
      var pipeline = internal.channelHandlerContext().pipeline();
      if (pipeline.get("handler") != null && pipeline.get(NAME) == null) {
        pipeline.addBefore("handler", NAME, new MessageSizeLimit(limit));
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!(msg instanceof WebSocketFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (refused) {
      frame.release();
      return;
    }
    boolean data = frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame;
    if (data || frame instanceof ContinuationWebSocketFrame) {
      // A continuation outside a message is the decoder's to refuse; count it from zero.
      received = (data || received < 0 ? 0 : received) + frame.content().readableBytes();
      if (received > limit) {
        frame.release();
        refused = true;
        throw tooLarge();
      }
      if (frame.isFinalFragment()) received = -1;
    }
    ctx.fireChannelRead(frame);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecompressionException inflater) {
      refused = true;
      String message = String.valueOf(inflater.getMessage());
      cause =
          message.contains("maximum size")
              ? tooLarge()
              : new CorruptedWebSocketFrameException(
                  WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "invalid compressed data", inflater);
    }
    ctx.fireExceptionCaught(cause);
  }

  private CorruptedWebSocketFrameException tooLarge() {
    return new CorruptedWebSocketFrameException(
        WebSocketCloseStatus.MESSAGE_TOO_BIG, "message larger than " + limit + " bytes");
  }
}
