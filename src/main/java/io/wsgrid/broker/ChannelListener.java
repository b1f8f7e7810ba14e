package io.wsgrid.broker;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

/**
 * Receives a channel's publications on one node, on its own event loop. A node has one listener
 * per WebSocket verticle instance, which fans each frame out to that instance's sockets.
 */
public interface ChannelListener {

  /** The context {@link #deliver} is called on. */
  Context context();

  /**
   * One publication, already encoded as the text frame clients receive; the buffer is shared with
   * other listeners and must not be modified. Per channel, calls come in offset order with no gap
   * and no repeat (a publication lost with a crashed member is skipped, never reordered). Called
   * on {@link #context()}; must not block.
   */
  void deliver(String channel, long offset, Buffer frame, long acceptedAtMicros);
}
