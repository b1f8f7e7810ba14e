package io.wsgrid.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code wsgrid_event_loop_lag_seconds{node,loop}}: how late a 100 ms timer fired on an event loop,
 * the worst of the last second. An event loop runs every socket it owns; when it is busy (or the
 * process starved of CPU), timers, reads and writes all wait, and this shows it first.
 */
public final class EventLoopLag {
  private static final long PERIOD_MS = 100;

  private EventLoopLag() {}

  /** Starts measuring on {@code context}'s event loop; call once per loop. */
  public static void monitor(Context context, MeterRegistry registry, String node, String loop) {
    AtomicLong worst = new AtomicLong();
    AtomicLong shown = new AtomicLong();
    Gauge.builder(MeterNames.EVENT_LOOP_LAG, shown, v -> v.get() / 1e9)
        .baseUnit("seconds")
        .description("how late a 100 ms timer fired on this event loop, worst of the last second")
        .tag(MeterNames.TAG_NODE, node)
        .tag(MeterNames.TAG_LOOP, loop)
        .register(registry);
    context.runOnContext(
        v -> {
          long[] expected = {System.nanoTime() + PERIOD_MS * 1_000_000};
          long[] windowStart = {System.nanoTime()};
          context
              .owner()
              .setPeriodic(
                  PERIOD_MS,
                  id -> {
                    long now = System.nanoTime();
                    worst.accumulateAndGet(Math.max(0, now - expected[0]), Math::max);
                    expected[0] = now + PERIOD_MS * 1_000_000;
                    if (now - windowStart[0] >= 1_000_000_000L) {
                      shown.set(worst.getAndSet(0));
                      windowStart[0] = now;
                    }
                  });
        });
  }
}
