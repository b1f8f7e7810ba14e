package io.wsgrid.client;

import java.time.Duration;

/**
 * How a {@link WsgridClient} reconnects and watches its connection. {@code backoff}: the wait
 * before each reconnect. After {@code pingInterval} without a frame from the server the client
 * sends {@code {"op":"ping"}}; when nothing arrives within {@code pingTimeout} after it, the
 * connection is taken for dead (a frozen node or edge) and the client reconnects ({@code
 * pingInterval} zero: never ping). {@code connectTimeout} bounds one connection attempt (TCP
 * connect and WebSocket upgrade).
 */
public record ClientOptions(
    Backoff backoff, Duration pingInterval, Duration pingTimeout, Duration connectTimeout) {
  public ClientOptions {
    if (backoff == null)
      throw new IllegalArgumentException("backoff is required (Backoff.defaults())");
    if (pingInterval.isNegative())
      throw new IllegalArgumentException("pingInterval must be >= 0 (0: never ping)");
    if (pingTimeout.toMillis() < 1)
      throw new IllegalArgumentException("pingTimeout must be at least 1 ms");
    if (connectTimeout.toMillis() < 1)
      throw new IllegalArgumentException("connectTimeout must be at least 1 ms");
  }

  /**
   * Backoff 100 ms doubling to 10 s, ping after 25 s of quiet, 10 s for its answer, 10 s to
   * connect.
   */
  public static ClientOptions defaults() {
    return new ClientOptions(
        Backoff.defaults(), Duration.ofSeconds(25), Duration.ofSeconds(10), Duration.ofSeconds(10));
  }

  public ClientOptions withBackoff(Backoff value) {
    return new ClientOptions(value, pingInterval, pingTimeout, connectTimeout);
  }

  public ClientOptions withPing(Duration interval, Duration timeout) {
    return new ClientOptions(backoff, interval, timeout, connectTimeout);
  }

  public ClientOptions withConnectTimeout(Duration value) {
    return new ClientOptions(backoff, pingInterval, pingTimeout, value);
  }
}
