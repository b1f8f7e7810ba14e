package io.wsgrid.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs every turned-away request, connection or frame: bad tokens, forbidden channels,
 * rate and size limits, full nodes, idle peers. {@code wsgrid_rejections_total{node,reason}} counts
 * each; the log gets one line per rejection ({@code rejected <reason> <who>: <message>}), at most
 * {@value #LOG_PER_SECOND} per reason per second, the rest summed up in the next line, so a flood
 * cannot flood the log.
 */
public final class Rejections {
  static final int LOG_PER_SECOND = 10;
  private static final Logger log = LoggerFactory.getLogger("io.wsgrid.security");
  private final MeterRegistry registry;
  private final String member;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public Rejections(MeterRegistry registry, String member) {
    this.registry = registry;
    this.member = member;
    for (String reason :
        new String[] {
          "token_missing",
          "token_expired",
          "token_signature",
          "forbidden",
          "rate_limited",
          "max_connections"
        }) {
      counter(reason);
    }
  }

  /**
   * Counts one rejection and logs it (throttled); {@code who} says whose: an address, a client id.
   */
  public void reject(String reason, String who, String message) {
    counter(reason).increment();
    Window window = windows.computeIfAbsent(reason, r -> new Window());
    long suppressed = window.admit(System.currentTimeMillis());
    if (suppressed < 0) return;
    if (suppressed > 0) {
      log.info(
          "rejected {} {}: {} (and {} more {} rejections in the last second)",
          reason,
          who,
          message,
          suppressed,
          reason);
    } else {
      log.info("rejected {} {}: {}", reason, who, message);
    }
  }

  private Counter counter(String reason) {
    return counters.computeIfAbsent(
        reason,
        r ->
            Counter.builder(MeterNames.REJECTIONS)
                .description("requests, connections and frames turned away, by reason")
                .tag(MeterNames.TAG_NODE, member)
                .tag(MeterNames.TAG_REASON, r)
                .register(registry));
  }

  /**
   * At most LOG_PER_SECOND lines per second; returns -1 to stay quiet, else how many were kept
   * quiet before.
   */
  private static final class Window {
    private final AtomicLong second = new AtomicLong();
    private final AtomicLong logged = new AtomicLong();
    private final AtomicLong quiet = new AtomicLong();

    long admit(long nowMillis) {
      long now = nowMillis / 1000;
      if (second.getAndSet(now) != now) logged.set(0);
      if (logged.incrementAndGet() > LOG_PER_SECOND) {
        quiet.incrementAndGet();
        return -1;
      }
      return quiet.getAndSet(0);
    }
  }
}
