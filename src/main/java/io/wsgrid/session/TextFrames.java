package io.wsgrid.session;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Wraps UTF-8 bytes that are already encoded as a final text frame. Vert.x's public API builds text
 * frames from a {@code String} only (one UTF-8 encoding per socket); this writes one shared buffer
 * to every socket instead, which is what keeps fan-out at one encoding per node.
 */
final class TextFrames {
  private TextFrames() {}

  static WebSocketFrame of(Buffer utf8) {
    return new WebSocketFrameImpl(
        WebSocketFrameType.TEXT, ((BufferInternal) utf8).getByteBuf(), true);
  }
}
