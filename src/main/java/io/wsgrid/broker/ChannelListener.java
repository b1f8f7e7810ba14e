package io.wsgrid.broker;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

/**
 * Receives a channel's publications on one node, on its own event loop. A node has one listener per
 * WebSocket verticle instance, which fans each frame out to that instance's sockets.
 */
public interface ChannelListener {

  /** The context {@link #deliver} is called on. */
  Context context();

  /**
   * One publication, already encoded as the text frame clients receive; the buffer is shared with
   * other listeners and must not be modified. Per channel, calls come in offset order with no
   * repeat. Called on {@link #context()}; must not block.
   */
  void deliver(String channel, long offset, Buffer frame, long acceptedAtMicros);

  /**
   * The channel's order could not be continued: its log was started anew under {@code epoch}, or
   * {@code lost} publications before {@code offset} are gone. Called on {@link #context()}.
   */
  default void interrupted(String channel, String epoch, long offset, long lost) {}
}
