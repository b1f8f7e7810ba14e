package io.wsgrid.client;

/**
 * The client's copy of its connection's token bucket (the {@code connected} frame's {@code
 * "limits":{"rate":…,"burst":…}}), so that requests wait in the client instead of being refused
 * with {@code rate_limited}, and a resubscribe of hundreds of channels never earns the 1008 close
 * that repeated refusals bring. It runs a little under the server's bucket (90 % of the rate, a
 * tenth of the burst kept back) so that frames the network bunches together still fit. Not
 * thread-safe: used on the client's event loop.
 */
final class RequestPacer {
  private final double perMs;
  private final double burst;
  private double tokens;
  private long at;

  private RequestPacer(double perMs, double burst, long now) {
    this.perMs = perMs;
    this.burst = burst;
    this.tokens = burst;
    this.at = now;
  }

  /**
   * A pacer for the server's {@code rate} (frames/s) and {@code burst}; rate 0 or less: never
   * waits.
   */
  static RequestPacer of(int rate, int burst, long now) {
    if (rate <= 0) return new RequestPacer(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, now);
    int reserve = Math.max(1, (int) Math.ceil(burst * 0.1));
    return new RequestPacer(rate * 0.9 / 1000.0, Math.max(1, burst - reserve), now);
  }

  /** Milliseconds until the next request may go (0: now). */
  long delayMs(long now) {
    refill(now);
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perMs);
  }

  /** One request sent; a ping that may not wait can take the bucket below zero. */
  void take(long now) {
    refill(now);
    tokens -= 1;
  }

  /** The server answered {@code rate_limited}: its bucket is empty, so this one is too. */
  void refused(long now) {
    refill(now);
    tokens = Math.min(tokens, 0);
  }

  private void refill(long now) {
    if (now > at && tokens < burst) tokens = Math.min(burst, tokens + (now - at) * perMs);
    at = Math.max(at, now);
  }
}
