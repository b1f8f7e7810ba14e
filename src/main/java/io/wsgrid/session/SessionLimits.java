package io.wsgrid.session;

/**
 * Per-connection bounds: {@code maxQueuedBytes} is how many bytes of publications may wait for a
 * client beyond its socket's write buffer before it is disconnected as a slow consumer.
 */
public record SessionLimits(long maxQueuedBytes) {
  public SessionLimits {
    if (maxQueuedBytes < 1) throw new IllegalArgumentException("max-queued-bytes must be >= 1");
  }
}
