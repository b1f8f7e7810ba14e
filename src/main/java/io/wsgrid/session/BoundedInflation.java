package io.wsgrid.session;

import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.DeflateFrameServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounds what a compressed frame may inflate to. Vert.x negotiates permessage-deflate (and
 * deflate-frame) with an unbounded inflater, so a frame of a few bytes on the wire, well within
 * {@code --max-frame-size}, becomes megabytes of heap before any limit sees it. This swaps Vert.x's
 * extension handler, per connection and before its first request, for Netty's own with the same
 * settings and a bound of one byte over the limit: more fails the connection, and {@link
 * MessageSizeLimit} closes it with 1009.
 */
public final class BoundedInflation {
  /** Vert.x's name for the extension handler it puts in every HTTP/1.x connection's pipeline. */
  static final String VERTX_HANDLER = "webSocketExtensionHandler";

  private BoundedInflation() {}

  /**
   * For {@code HttpServer.connectionHandler}: bounds inflation on {@code connection} to {@code
   * limit} bytes.
   */
  public static void install(HttpConnection connection, HttpServerOptions options, int limit) {
    if (!(connection instanceof HttpServerConnection http)) return;
    var pipeline = http.channelHandlerContext().pipeline();
    List<WebSocketServerExtensionHandshaker> handshakers = handshakers(options, limit + 1);
    if (pipeline.get(VERTX_HANDLER) == null || handshakers.isEmpty()) return;
    pipeline.replace(
        VERTX_HANDLER,
        VERTX_HANDLER,
        new WebSocketServerExtensionHandler(
            handshakers.toArray(new WebSocketServerExtensionHandshaker[0])));
  }

  /**
   * Vert.x's handshakers for these options (HttpServerConnectionHandler, 5.1), with {@code
   * maxAllocation}.
   */
  static List<WebSocketServerExtensionHandshaker> handshakers(
      HttpServerOptions options, int maxAllocation) {
    List<WebSocketServerExtensionHandshaker> handshakers = new ArrayList<>(2);
    int level = options.getWebSocketCompressionLevel();
    if (options.getPerFrameWebSocketCompressionSupported()) {
      handshakers.add(new DeflateFrameServerExtensionHandshaker(level, maxAllocation));
    }
    if (options.getPerMessageWebSocketCompressionSupported()) {
      handshakers.add(
          new PerMessageDeflateServerExtensionHandshaker(
              level,
              ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
              PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
              options.getWebSocketAllowServerNoContext(),
              options.getWebSocketPreferredClientNoContext(),
              maxAllocation));
    }
    return handshakers;
  }
}
