package io.wsgrid.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * the n-th retry waits a uniform random time in [0, min(max, base · 2^n)], so the thousand clients
 * of a dead node spread their reconnects instead of arriving in one instant.
 */
public record Backoff(long baseMs, long maxMs) {
  public Backoff {
    if (baseMs < 1 || maxMs < baseMs)
      throw new IllegalArgumentException("need 1 <= baseMs <= maxMs");
  }

  public static Backoff defaults() {
    return new Backoff(100, 10_000);
  }

  /** The wait before retry number {@code attempt} (0 for the first retry). */
  public long delayMs(int attempt) {
    long ceiling = attempt >= 30 ? maxMs : Math.min(maxMs, baseMs << attempt);
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }
}
