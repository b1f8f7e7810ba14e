package io.wsgrid.broker;

import io.vertx.core.buffer.Buffer;

/**
 * Encodes a publication as the text frame subscribers receive; the broker encodes each publication
 * once.
 */
@FunctionalInterface
public interface FrameEncoder {
  /**
   * The frame of {@code data} (a JSON value, exactly as published) at {@code offset} of {@code
   * channel}.
   */
  Buffer publication(String channel, long offset, byte[] data);
}
