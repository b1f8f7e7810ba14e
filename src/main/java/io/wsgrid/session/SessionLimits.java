package io.wsgrid.session;

/**
 * Per-connection bounds: {@code maxFrameSize} is the largest frame and message a client may send
 * (bytes); {@code maxQueuedBytes} is how many bytes of publications may wait for a client beyond
 * its socket's write buffer before it is disconnected as a slow consumer.
 */
public record SessionLimits(int maxFrameSize, long maxQueuedBytes) {
  public SessionLimits {
    if (maxFrameSize < 1) throw new IllegalArgumentException("max-frame-size must be >= 1");
    if (maxQueuedBytes < 1) throw new IllegalArgumentException("max-queued-bytes must be >= 1");
  }
}
