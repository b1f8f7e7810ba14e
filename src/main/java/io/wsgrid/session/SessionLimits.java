package io.wsgrid.session;

import io.wsgrid.config.ConfigException;

/**
 * Per-connection and per-node bounds. {@code maxFrameSize}: the largest frame and message a client
 * may send (bytes, else close 1009). {@code maxQueuedBytes}: publications that may wait for a
 * client beyond its socket's write buffer before it is closed as a slow consumer (1013). {@code
 * maxSubscriptions} per connection ({@code too_large} beyond). {@code messageRate} frames per
 * second a client may send, with bursts of {@code messageBurst} (a token bucket; 0 = no limit):
 * over it, requests get {@code rate_limited}, and a client that keeps going is closed with 1008.
 * {@code maxConnections} per node and {@code maxPendingHandshakes} upgrades in progress at once (0
 * = no limit; over it, upgrades get 503). Every {@code pingIntervalSeconds} a quiet socket is
 * pinged; one silent (no frame, no pong) for {@code idleTimeoutSeconds} is closed (0 = never). A
 * socket that must authenticate has {@code authTimeoutSeconds} to send its auth frame.
 */
public record SessionLimits(
    int maxFrameSize,
    long maxQueuedBytes,
    int maxSubscriptions,
    int messageRate,
    int messageBurst,
    int maxConnections,
    int maxPendingHandshakes,
    int pingIntervalSeconds,
    int idleTimeoutSeconds,
    int authTimeoutSeconds) {

  // The defaults of the node's options (wsgrid node --help), the one place they are stated.
  public static final int DEFAULT_MAX_FRAME_SIZE = 65536;
  public static final long DEFAULT_MAX_QUEUED_BYTES = 4L * 1024 * 1024;
  public static final int DEFAULT_MAX_SUBSCRIPTIONS = 1000;
  public static final int DEFAULT_MESSAGE_RATE = 1000;

  /** 0: twice the rate. */
  public static final int DEFAULT_MESSAGE_BURST = 0;

  /** 0: no limit. */
  public static final int DEFAULT_MAX_CONNECTIONS = 0;

  public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 1000;
  public static final int DEFAULT_PING_INTERVAL_SECONDS = 25;
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
  public static final int DEFAULT_AUTH_TIMEOUT_SECONDS = 10;

  /**
   * Refused {@code rate_limited} requests within {@value #STRIKE_WINDOW_MS} ms before the socket is
   * closed with 1008.
   */
  public static final int STRIKES = 50;

  public static final long STRIKE_WINDOW_MS = 10_000;

  public SessionLimits {
    require(maxFrameSize >= 1, "--max-frame-size must be >= 1");
    require(maxQueuedBytes >= 1, "--max-queued-bytes must be >= 1");
    require(maxSubscriptions >= 1, "--max-subscriptions must be >= 1");
    require(messageRate >= 0, "--max-message-rate must be >= 0 (0 = no limit)");
    require(messageBurst >= 0, "--message-burst must be >= 0");
    require(maxConnections >= 0, "--max-connections must be >= 0 (0 = no limit)");
    require(maxPendingHandshakes >= 0, "--max-pending-handshakes must be >= 0 (0 = no limit)");
    require(pingIntervalSeconds >= 0, "--ping-interval must be >= 0 seconds (0 = never)");
    require(idleTimeoutSeconds >= 0, "--idle-timeout must be >= 0 seconds (0 = never)");
    require(
        idleTimeoutSeconds == 0
            || pingIntervalSeconds == 0
            || idleTimeoutSeconds > pingIntervalSeconds,
        "--idle-timeout must be longer than --ping-interval, or quiet but healthy clients are closed");
    require(authTimeoutSeconds >= 1, "--auth-timeout must be >= 1 second");
    if (messageBurst == 0) messageBurst = 2 * messageRate;
  }

  /** The frame and queue bounds with every other limit at its default. */
  public static SessionLimits of(int maxFrameSize, long maxQueuedBytes) {
    return new SessionLimits(
        maxFrameSize,
        maxQueuedBytes,
        DEFAULT_MAX_SUBSCRIPTIONS,
        DEFAULT_MESSAGE_RATE,
        DEFAULT_MESSAGE_BURST,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_PENDING_HANDSHAKES,
        DEFAULT_PING_INTERVAL_SECONDS,
        DEFAULT_IDLE_TIMEOUT_SECONDS,
        DEFAULT_AUTH_TIMEOUT_SECONDS);
  }

  public SessionLimits withAuthTimeout(int seconds) {
    return new SessionLimits(
        maxFrameSize,
        maxQueuedBytes,
        maxSubscriptions,
        messageRate,
        messageBurst,
        maxConnections,
        maxPendingHandshakes,
        pingIntervalSeconds,
        idleTimeoutSeconds,
        seconds);
  }

  public SessionLimits withMessageRate(int rate, int burst) {
    return new SessionLimits(
        maxFrameSize,
        maxQueuedBytes,
        maxSubscriptions,
        rate,
        burst,
        maxConnections,
        maxPendingHandshakes,
        pingIntervalSeconds,
        idleTimeoutSeconds,
        authTimeoutSeconds);
  }

  public boolean rateLimited() {
    return messageRate > 0;
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new ConfigException(message);
  }
}
